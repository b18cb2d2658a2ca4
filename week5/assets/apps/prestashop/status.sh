#!/bin/bash
# lab-shop-status: what this instance serves and whether its stores answer (Day 2 case).
# The load balancer checks liveness only (/health, a local file); this is the readiness report:
# the shared files on EFS, the install state, PHP's sessions in Redis, the database.
set -uo pipefail
app_dir=${APP_DIR:-/opt/week5/app}
docroot=${SHOP_DOCROOT:-/mnt/efs/prestashop}

token=$(curl -s -X PUT http://169.254.169.254/latest/api/token \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
meta() { curl -s -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"; }
in_shop() { (cd "$app_dir" && docker compose exec -T prestashop "$@" 2>&1); }

echo "instance: $(meta instance-id) ($(meta placement/availability-zone))"
echo "liveness (/health): $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/health)"
if mountpoint -q "$(dirname "$docroot")"; then
  echo "shop files: $docroot on EFS (shared by every instance)"
else
  echo "shop files: EFS is not mounted at $(dirname "$docroot")"
fi
if [ -f "$docroot/app/config/parameters.php" ]; then
  echo "installed: yes"
else
  echo "installed: no (open ShopUrl: the installer)"
fi
if [ -d "$docroot/install" ] && [ -f "$docroot/app/config/parameters.php" ]; then
  echo "install folder: still there (RemoveInstallFolderCommand deletes it)"
fi
admin=$(cd "$docroot" 2>/dev/null && ls -d admin* 2>/dev/null | head -n 1)
echo "back office: /${admin:-admin}/ (renamed by PrestaShop at its first visit)"
echo "php sessions: $(in_shop php -r 'echo ini_get("session.save_handler");')"
echo "database: $(in_shop php -r 'try { new PDO("mysql:host=" . getenv("DB_SERVER") . ";dbname=" . getenv("DB_NAME"), getenv("DB_USER"), getenv("DB_PASSWD"), [PDO::ATTR_TIMEOUT => 3]); echo "ok"; } catch (Throwable $e) { echo "unavailable: ", $e->getMessage(); }')"
echo "redis: $(in_shop php -r 'if (!class_exists("Redis")) { echo "phpredis not loaded"; exit; } try { $r = new Redis(); $r->connect("tls://" . getenv("REDIS_HOST"), (int) getenv("REDIS_PORT"), 3); $r->auth(getenv("REDIS_AUTH_TOKEN")); echo "ok, ", count($r->keys("PHPREDIS_SESSION:*")), " sessions"; } catch (Throwable $e) { echo "unavailable: ", $e->getMessage(); }')"
