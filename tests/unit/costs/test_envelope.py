"""Envelope encryption: KMS data key + AES-256-GCM, both bound to the user's sub."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from outlay.dal.kms_envelope import KmsEnvelope
from outlay.logic import envelope as env
from outlay.logic.aws_errors import StoredSecretUnreadableError
from outlay.logic.errors import UpstreamUnavailableError

from .conftest import Moto

SECRET = b'{"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "s3cr3t"}'


class FakeKms:
    """KMS that ignores the encryption context entirely: isolates what the AAD alone guarantees."""

    def __init__(self) -> None:
        self.key = os.urandom(32)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def generate_data_key(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("GenerateDataKey", kwargs))
        return {"Plaintext": self.key, "CiphertextBlob": b"wrapped-key"}

    def decrypt(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("Decrypt", kwargs))
        return {"Plaintext": self.key}


def test_seal_open_round_trip_and_fresh_nonce() -> None:
    key = os.urandom(32)
    a = env.seal(SECRET, bytearray(key), b"wrapped", "sub-1")
    b = env.seal(SECRET, bytearray(key), b"wrapped", "sub-1")
    assert a.nonce != b.nonce and a.ciphertext != b.ciphertext
    assert len(base64.b64decode(a.nonce)) == 12
    assert env.open_envelope(a, bytearray(key), "sub-1") == SECRET
    assert SECRET not in base64.b64decode(a.ciphertext)


def test_data_key_buffer_is_zeroed_after_use() -> None:
    key = bytearray(os.urandom(32))
    sealed = env.seal(SECRET, key, b"wrapped", "sub-1")
    assert key == bytearray(32)
    other = bytearray(os.urandom(32))
    with pytest.raises(env.EnvelopeError):
        env.open_envelope(sealed, other, "sub-1")
    assert other == bytearray(32)


def test_aad_alone_rejects_another_users_row() -> None:
    kms = FakeKms()
    box = KmsEnvelope("key", kms_client=kms)
    sealed = box.encrypt("alice", SECRET)
    assert box.decrypt("alice", sealed) == SECRET
    with pytest.raises(StoredSecretUnreadableError):
        box.decrypt("mallory", sealed)  # same data key (fake KMS), but the AAD is alice's


def test_tampered_ciphertext_fails() -> None:
    kms = FakeKms()
    box = KmsEnvelope("key", kms_client=kms)
    sealed = box.encrypt("alice", SECRET)
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[0] ^= 1
    bad = env.Envelope(base64.b64encode(bytes(raw)).decode(), sealed.nonce, sealed.encrypted_data_key)
    with pytest.raises(StoredSecretUnreadableError):
        box.decrypt("alice", bad)


def test_kms_is_called_with_aes256_and_the_users_context(moto_aws: Moto) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    data_keys: list[bytes] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent.append((model.name, dict(params)))

    def record_key(parsed: dict[str, Any], **_: Any) -> None:
        data_keys.append(parsed["Plaintext"])

    # The parameters exactly as the KMS client sends them, and the data key KMS hands back.
    moto_aws.kms.meta.events.register("provide-client-params.kms.*", record)
    moto_aws.kms.meta.events.register("after-call.kms.GenerateDataKey", record_key)
    box = KmsEnvelope(moto_aws.key_id, kms_client=moto_aws.kms)
    sealed = box.encrypt("alice", SECRET)
    assert box.decrypt("alice", sealed) == SECRET
    assert [name for name, _ in sent] == ["GenerateDataKey", "Decrypt"]
    generate, decrypt = sent[0][1], sent[1][1]
    assert generate == {
        "KeyId": moto_aws.key_id,
        "KeySpec": "AES_256",
        "EncryptionContext": {"userId": "alice"},
    }
    assert decrypt["EncryptionContext"] == {"userId": "alice"}
    assert decrypt["KeyId"] == moto_aws.key_id
    assert decrypt["CiphertextBlob"] == base64.b64decode(sealed.encrypted_data_key)
    assert [len(key) for key in data_keys] == [32]  # a 256-bit data key
    item = sealed.to_item()
    assert set(item) == {"ciphertext", "nonce", "encryptedDataKey", "version"}
    assert item["version"] == 1
    # moto enforces the encryption context: KMS itself refuses bob's context for alice's data key.
    wrapped = base64.b64decode(sealed.encrypted_data_key)
    with pytest.raises(moto_aws.kms.exceptions.InvalidCiphertextException):
        moto_aws.kms.decrypt(CiphertextBlob=wrapped, EncryptionContext={"userId": "bob"})


def test_row_copied_to_another_user_fails_with_real_kms_context(moto_aws: Moto) -> None:
    box = KmsEnvelope(moto_aws.key_id, kms_client=moto_aws.kms)
    sealed = box.encrypt("alice", SECRET)
    copied = env.Envelope.from_item(sealed.to_item())
    with pytest.raises(StoredSecretUnreadableError, match="save them again"):
        box.decrypt("bob", copied)


def test_kms_outage_is_a_503_not_a_leak() -> None:
    class Broken(FakeKms):
        def generate_data_key(self, **kwargs: Any) -> dict[str, Any]:
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "KMSInternalException", "Message": "boom AKIA1234"}}, "GenerateDataKey"
            )

    with pytest.raises(UpstreamUnavailableError) as info:
        KmsEnvelope("k", kms_client=Broken()).encrypt("alice", SECRET)
    assert "AKIA1234" not in str(info.value)


@pytest.mark.parametrize("field", ["ciphertext", "nonce", "encryptedDataKey"])
def test_malformed_envelope_is_unreadable_not_a_crash(field: str) -> None:
    box = KmsEnvelope("key", kms_client=FakeKms())
    item = box.encrypt("alice", SECRET).to_item()
    item[field] = "***not base64***"
    with pytest.raises(StoredSecretUnreadableError):
        box.decrypt("alice", env.Envelope.from_item(item))
