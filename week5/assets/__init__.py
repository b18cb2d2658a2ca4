"""What the constructs ship to AWS: the demo apps, compose files, sample sites and Lambda code.

Each folder's path comes from this file's location, so an installed ``week5`` finds them as a
checkout does.
"""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
#: The demo apps (Python and Node) that the lab hosts run.
APPS_DIR = ASSETS_DIR / "apps"
#: The course's docker-compose files, with passwords replaced by variables.
COMPOSE_DIR = ASSETS_DIR / "compose"
#: The static sites that S3 and CloudFront serve.
SITES_DIR = ASSETS_DIR / "sites"
#: Lambda handlers' code.
FUNCTIONS_DIR = ASSETS_DIR / "functions"
