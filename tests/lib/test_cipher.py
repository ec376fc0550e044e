"""The stored fields of an ID number (MEM-01): encrypted, lookup HMAC, masked."""

from __future__ import annotations

import datetime as dt

from xianfeng.lib.cipher import get_cipher, lookup_hash, stored_id_number
from xianfeng.lib.idcard import make_id_number

NUMBER = make_id_number("110105", dt.date(1980, 1, 2), 11)


def test_stored_id_number_encrypts_hashes_and_masks():
    stored = stored_id_number(NUMBER)
    assert sorted(stored) == ["id_number_cipher", "id_number_hmac", "id_number_masked"]
    assert get_cipher().decrypt(stored["id_number_cipher"]) == NUMBER
    assert stored["id_number_hmac"] == lookup_hash(NUMBER)
    assert stored["id_number_masked"] == f"{NUMBER[:14]}****"
    assert NUMBER not in stored["id_number_cipher"]


def test_stored_id_number_uses_the_cipher_and_digest_it_is_given():
    class Plain:
        def encrypt(self, plain: str) -> str:
            return f"enc:{plain}"

        def decrypt(self, token: str) -> str:
            return token[4:]

        def rotate(self, token: str) -> str:
            return token

    stored = stored_id_number(NUMBER, cipher=Plain(), digest="d" * 64)
    assert stored["id_number_cipher"] == f"enc:{NUMBER}"
    assert stored["id_number_hmac"] == "d" * 64
