"""Real libmongocrypt (pymongocrypt through pymongo's ClientEncryption) reading the users that
City Chain Auth wrote in mongodb mode.

Reads one JSON request on stdin:
  { "uri", "keyVaultNamespace", "masterKeyHex", "database", "collection", "uuid",
    "fields": [names], "lookup": { "keyAltName", "email" } }
and prints { "libmongocrypt", "fields": { name: plaintext }, "types": { name: "binary6" | "string" },
"foundByEmail": _id or null }. The master key arrives on stdin, never in argv or the environment.
"""
import json
import sys

from bson.binary import Binary
from bson.codec_options import CodecOptions
from pymongo import MongoClient
from pymongo.encryption import Algorithm, ClientEncryption
import pymongocrypt


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
        users = client[request["database"]][request["collection"]]
        document = users.find_one({"_id": request["uuid"]})
        fields, types = {}, {}
        for name in request["fields"]:
            value = document["encrypted"].get(name)
            if isinstance(value, Binary) and value.subtype == 6:
                fields[name] = encryption.decrypt(value)
                types[name] = "binary6"
            else:
                types[name] = type(value).__name__
        # An equality query as a CSFLE client makes it: the deterministic ciphertext of the email.
        lookup = request["lookup"]
        key = encryption.get_key_by_alt_name(lookup["keyAltName"])
        probe = encryption.encrypt(
            lookup["email"],
            Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic,
            key_id=key["_id"],
        )
        found = users.find_one({"encrypted.email": probe})
        json.dump(
            {
                "libmongocrypt": pymongocrypt.libmongocrypt_version(),
                "fields": fields,
                "types": types,
                "foundByEmail": None if found is None else found["_id"],
            },
            sys.stdout,
        )
    finally:
        encryption.close()
        client.close()


if __name__ == "__main__":
    main()
