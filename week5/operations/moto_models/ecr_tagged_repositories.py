"""ECR repositories in moto's Resource Groups Tagging API, as AWS lists them.

Written against moto 5.2.5, whose ECR backend keeps a repository's tags (``ListTagsForResource``
answers them) but is no ``TaggableResourcesMixin``, so ``GetResources`` never reads it: in a
student trial (Day5Challenge on `week5 local`) a repository made by
``aws ecr create-repository --tags Key=Week,Value=Week5 …`` was found by ``week5 cleanup`` but
not shown by ``week5 status``, and ``aws resourcegroupstaggingapi get-resources
--resource-type-filters ecr`` (the guide's check for leftovers) answered nothing.
:func:`install` adds each region's ECR backend to the backends the tagging API reads, its
repositories listed with AWS's ARN (``arn:aws:ecr:REGION:ACCOUNT:repository/NAME``) and resource
type (``ecr:repository``), filtered and paged by moto's own ``GetResources`` as its other kinds
are; one without tags is not listed (moto's rule; AWS lists only the tagged or once tagged).
Delete this module when moto lists them (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Iterator

from moto.core.resource_tagging import TaggableResourcesMixin, TaggedResource
from moto.ecr.models import ECRBackend, ecr_backends
from moto.resourcegroupstaggingapi import models as tagging

from ._common import moto_own

#: moto's own list of the backends the tagging API reads, kept before :func:`install` (a reload
#: reads it there; tests/test_moto_models.py runs it to tell when moto no longer needs this).
MOTO_OWN = moto_own(tagging, "iter_taggable_backends")  # type: ignore[arg-type]


class TaggedRepositories(TaggableResourcesMixin):
    """One region's ECR backend as the tagging API reads a backend: its repositories and their
    tags. ``TagResources`` is left as moto answers it for ECR (not supported)."""

    SERVICE_NAMESPACE = "ecr"

    def __init__(self, backend: ECRBackend) -> None:
        self.backend = backend
        self.partition = backend.partition  # owns_arn reads it

    def iter_tagged_resources(self) -> Iterator[TaggedResource]:
        for repository in list(self.backend.repositories.values()):
            yield TaggedResource(
                arn=repository.arn,
                tags=self.backend.tagger.get_tag_dict_for_resource(repository.arn),
                resource_type="ecr:repository",
            )


def iter_taggable_backends(account_id: str, region_name: str) -> Iterator[Any]:
    yield from MOTO_OWN(account_id, region_name)
    if issubclass(ECRBackend, TaggableResourcesMixin):  # moto reads it itself: not twice
        return
    regions = ecr_backends.get(account_id, {})
    if region_name in regions:  # a region where ECR was never used has no repository
        yield TaggedRepositories(regions[region_name])


def install() -> None:
    """Add ECR's repositories to the tagging API's resources (idempotent)."""
    tagging.iter_taggable_backends = iter_taggable_backends  # type: ignore[attr-defined]
