/* 先锋 Xianfeng — the page script (the Content-Security-Policy allows no inline script):
   Django's CSRF token on every htmx request, confirm dialogs from data-confirm="…",
   progress bars sized from data-progress="0-100". */
(function () {
  "use strict";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.substring(0, name.length + 1) === name + "=") {
        return decodeURIComponent(part.substring(name.length + 1));
      }
    }
    return "";
  }

  function csrfToken() {
    var token = readCookie("csrftoken");
    if (!token) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      token = meta ? meta.getAttribute("content") : "";
    }
    return token;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // data-confirm on a form asks before it is submitted; on a button or link, before the
  // click. Runs in the capture phase, so a refusal also stops htmx.
  function refuse(event) {
    event.preventDefault();
    event.stopPropagation();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var message = form.getAttribute && form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        refuse(event);
      }
    },
    true
  );

  document.addEventListener(
    "click",
    function (event) {
      var element = event.target.closest ? event.target.closest("[data-confirm]") : null;
      if (!element || element.tagName === "FORM") {
        return;
      }
      if (!window.confirm(element.getAttribute("data-confirm"))) {
        refuse(event);
      }
    },
    true
  );

  function sizeProgressBars(root) {
    var bars = root.querySelectorAll ? root.querySelectorAll("[data-progress]") : [];
    for (var i = 0; i < bars.length; i++) {
      bars[i].style.width = (parseInt(bars[i].getAttribute("data-progress"), 10) || 0) + "%";
    }
  }

  // A form with data-tally counts its ticked boxes and sums their data-amount (yuan, two
  // places, added in fen) into its [data-tally-out], by that element's data-text
  // ("… {n} … {sum} …"): the dues treasurer's screen before its one save.
  function fen(text) {
    var parts = String(text || "0").split(".");
    var cents = ((parts[1] || "") + "00").substring(0, 2);
    return parseInt(parts[0] || "0", 10) * 100 + parseInt(cents, 10);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-tally]") : null;
    var out = form ? form.querySelector("[data-tally-out]") : null;
    if (!out) {
      return;
    }
    var ticked = form.querySelectorAll("input[type=checkbox][data-amount]:checked");
    var total = 0;
    for (var i = 0; i < ticked.length; i++) {
      total += fen(ticked[i].getAttribute("data-amount"));
    }
    var sum = Math.floor(total / 100) + "." + ("0" + (total % 100)).slice(-2);
    out.textContent = ticked.length
      ? out.getAttribute("data-text").replace("{n}", ticked.length).replace("{sum}", sum)
      : "";
  });

  if (window.htmx) {
    window.htmx.onLoad(function (element) {
      sizeProgressBars(element.parentNode || element);
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      sizeProgressBars(document);
    });
  }
})();
