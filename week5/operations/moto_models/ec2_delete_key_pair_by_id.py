"""EC2's ``DeleteKeyPair`` by ``KeyPairId``, as AWS answers it: that key pair deleted, or
``InvalidKeyPair.NotFound`` when no key pair has the id.

Written against moto 5.2.5, which reads only ``KeyName``: ``DeleteKeyPair(KeyPairId=...)``
answered success and deleted nothing, so ``week5 cleanup --apply`` on the emulator said it had
deleted a tagged key pair that stayed (it deletes by id: a key made again under the same name
in the meantime is not the one it found). :func:`install` deletes by id when one is given, and
clears the key's tags as moto's deletion by name does not. Delete this module when moto reads
``KeyPairId`` (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidKeyPairNameError
from moto.ec2.responses.key_pairs import KeyPairs

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = KeyPairs.delete_key_pair


def delete_key_pair(self: KeyPairs) -> ActionResult:
    key_pair_id = self._get_param("KeyPairId")
    if not key_pair_id:
        return MOTO_OWN(self)
    self.error_on_dryrun()
    backend = self.ec2_backend
    name = next((n for n, k in backend.key_pairs.items() if k.id == key_pair_id), None)
    if name is None:
        raise InvalidKeyPairNameError(key_pair_id)
    backend.key_pairs.pop(name)
    tags = backend.describe_tags(filters={"resource-id": [key_pair_id]})
    backend.delete_tag_keys([key_pair_id], [tag["key"] for tag in tags])
    return ActionResult({"Return": True, "KeyPairId": key_pair_id})


def install() -> None:
    """Patch moto's EC2 answer as the module's docstring says (idempotent)."""
    KeyPairs.delete_key_pair = delete_key_pair  # type: ignore[method-assign]
