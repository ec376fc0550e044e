"""Pages of the dues app (DUES-01, DUES-02): a member's dues and the forms to keep them
(`member`), the treasurer's monthly screen (`month`), totals and arrears (`totals`),
hardship reductions waiting for a decision (`reductions`)."""
