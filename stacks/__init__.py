"""The course's lab stacks; ``stacks.catalog.CATALOG`` lists them all."""
