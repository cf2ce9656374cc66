"""Real libmongocrypt (pymongocrypt, through pymongo's ClientEncryption) as the independent side of
the CSFLE interoperability tests: it reads what City Chain Auth wrote to a MongoDB wire server and
encrypts values for the other direction. Run by @city/dev-engines' runLibmongocryptPeer.

Reads one JSON request on stdin:
  { "uri", "keyVaultNamespace", "masterKeyHex", "database", "collection",
    "fields": [names], "within": sub-document holding the fields (optional, default the document),
    "ids": [_id, ...] (optional, default every document), "keyAltName",
    "encrypt": [{ "value", "algorithm": "deterministic" | "random" }] (optional),
    "findBy": { "field", "value" } (optional: an equality query on the deterministic ciphertext) }
and prints one JSON answer on stdout:
  { "libmongocrypt": version, "documents": [{ "_id", field: plaintext, ... }] (in _id order; only the
    fields stored as encrypted values, BSON binary subtype 6), "keyIdHex" (the key of keyAltName),
    "encrypted": [base64 payloads, in request order], "found": [_id, ...] (with findBy) }

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
        collection = client[request["database"]][request["collection"]]
        query = {} if request.get("ids") is None else {"_id": {"$in": request["ids"]}}
        within = request.get("within")
        documents = []
        for document in collection.find(query).sort("_id", 1):
            holder = document if within is None else document.get(within, {})
            out = {"_id": document["_id"]}
            for name in request["fields"]:
                value = holder.get(name)
                if isinstance(value, Binary) and value.subtype == 6:
                    out[name] = encryption.decrypt(value)
            documents.append(out)
        key_id = encryption.get_key_by_alt_name(request["keyAltName"])["_id"]
        encrypted = [
            base64.b64encode(
                encryption.encrypt(item["value"], ALGORITHMS[item["algorithm"]], key_id=key_id)
            ).decode("ascii")
            for item in request.get("encrypt", [])
        ]
        answer = {
            "libmongocrypt": pymongocrypt.libmongocrypt_version(),
            "documents": documents,
            "keyIdHex": bytes(key_id).hex(),
            "encrypted": encrypted,
        }
        find_by = request.get("findBy")
        if find_by is not None:
            # An equality query as a CSFLE client makes it: the deterministic ciphertext of the value.
            probe = encryption.encrypt(find_by["value"], ALGORITHMS["deterministic"], key_id=key_id)
            answer["found"] = [d["_id"] for d in collection.find({find_by["field"]: probe}).sort("_id", 1)]
        json.dump(answer, sys.stdout)
    finally:
        encryption.close()
        client.close()


if __name__ == "__main__":
    main()
