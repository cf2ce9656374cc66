"""The other side of the CSFLE interoperability test: real libmongocrypt (pymongocrypt, through
pymongo's ClientEncryption) against what City Chain Auth wrote to a MongoDB wire server.

Reads one JSON request on stdin:
  { "uri", "keyVaultNamespace", "masterKeyHex", "database", "collection",
    "fields": [names], "keyAltName", "encrypt": [{ "value", "algorithm" }] }
and prints one JSON answer on stdout:
  { "libmongocrypt": version, "documents": [{ "_id", field: plaintext, ... }],
    "keyIdHex", "encrypted": [base64 payloads, in request order] }

The master key arrives on stdin, never in argv or the environment.
"""
import base64
import json
import sys

from bson.binary import Binary
from bson.codec_options import CodecOptions
from pymongo import MongoClient
from pymongo.encryption import Algorithm, ClientEncryption
import pymongocrypt

ALGORITHMS = {
    "deterministic": Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic,
    "random": Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Random,
}


def main() -> None:
    request = json.load(sys.stdin)
    client = MongoClient(request["uri"], serverSelectionTimeoutMS=5000)
    encryption = ClientEncryption(
        {"local": {"key": bytes.fromhex(request["masterKeyHex"])}},
        request["keyVaultNamespace"],
        client,
        CodecOptions(),
    )
    try:
        documents = []
        collection = client[request["database"]][request["collection"]]
        for document in collection.find({}).sort("_id", 1):
            out = {"_id": document["_id"]}
            for name in request["fields"]:
                value = document.get(name)
                if isinstance(value, Binary) and value.subtype == 6:
                    out[name] = encryption.decrypt(value)
            documents.append(out)
        key = encryption.get_key_by_alt_name(request["keyAltName"])
        key_id = key["_id"]
        encrypted = [
            base64.b64encode(
                encryption.encrypt(item["value"], ALGORITHMS[item["algorithm"]], key_id=key_id)
            ).decode("ascii")
            for item in request.get("encrypt", [])
        ]
        json.dump(
            {
                "libmongocrypt": pymongocrypt.libmongocrypt_version(),
                "documents": documents,
                "keyIdHex": bytes(key_id).hex(),
                "encrypted": encrypted,
            },
            sys.stdout,
        )
    finally:
        encryption.close()
        client.close()


if __name__ == "__main__":
    main()
