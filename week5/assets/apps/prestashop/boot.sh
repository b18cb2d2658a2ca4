#!/bin/bash
# week5-prestashop-boot IMAGE DOCROOT APP_DIR
# Day 2 case (PrestaShop behind a load balancer): run on every instance before `docker compose up`.
#
# 1. Shared state. DOCROOT lives on EFS, mounted by every instance: PrestaShop keeps its install
#    state in files (app/config/parameters.php with the database settings and cookie keys, the
#    renamed admin folder, product images, installed modules, caches), so every instance serves
#    the same shop only when they share them; the data itself is in RDS. The first instance
#    copies the image's files there once: in parallel (on NFS the round trips, not the bytes,
#    cost the time), into a staging folder that one rename publishes, so an instance stopped
#    halfway leaves nothing half-made and two first instances cannot both publish.
# 2. Sessions in Redis. phpredis is built for the image once (cached beside DOCROOT) and PHP's
#    sessions (the installer's, the back office's) go to ElastiCache over TLS, so any instance
#    can answer the next request of a session. Without the extension PHP keeps file sessions.
# 3. Liveness. Apache answers /health from a local file: no PHP, database, Redis or EFS.
set -euo pipefail
image=$1 docroot=$2 app_dir=$3
shared=$(dirname "$docroot")
ext_cache="$shared/.week5"
PHPREDIS_VERSION=${PHPREDIS_VERSION:-6.1.0}
PARALLEL=${SEED_PARALLEL:-32}

log() { echo "week5-prestashop: $*"; }

seed_docroot() {
  if [ -e "$docroot/index.php" ]; then
    log "$docroot already holds the shop's files"
    return 0
  fi
  # What an instance stopped mid-copy left behind (a staging folder is minutes old at most).
  find "$shared" -maxdepth 1 -name '.seed-*' -mmin +30 -exec rm -rf {} + 2>/dev/null || true
  local work staging cid
  work=$(mktemp -d /var/tmp/prestashop-files.XXXXXX)
  staging="$shared/.seed-$(hostname)-$$"
  cid=$(docker create "$image")
  docker cp -a "$cid:/var/www/html/." "$work/"
  docker rm -f "$cid" >/dev/null
  mkdir -p "$staging"
  (
    cd "$work"
    find . -mindepth 1 -type d -print0 \
      | (cd "$staging" && xargs -0 -r -n 200 -P "$PARALLEL" mkdir -p)
    find . ! -type d -print0 | xargs -0 -r -n 100 -P "$PARALLEL" cp -a --parents -t "$staging"
    # Folders last: their owner, mode and times, once nothing is added to them any more.
    find . -type d -print0 | xargs -0 -r -n 100 -P "$PARALLEL" sh -c \
      'for d; do chown --reference="$d" "$0/$d"; chmod --reference="$d" "$0/$d"; touch -r "$d" "$0/$d"; done' \
      "$staging"
  )
  rm -rf "$work"
  if mv -T "$staging" "$docroot" 2>/dev/null; then
    log "published the shop's files at $docroot"
  else
    log "another instance published $docroot first; using it"
    rm -rf "$staging"
  fi
}

build_phpredis() {
  local so out
  so="$ext_cache/redis-$PHPREDIS_VERSION-$(echo "$image" | tr '/:' '__').so"
  mkdir -p "$ext_cache" "$app_dir/php-ext"
  if [ ! -s "$so" ]; then
    out=$(mktemp -d /var/tmp/phpredis.XXXXXX)
    if docker run --rm -v "$out:/out" "$image" sh -c \
      "pecl install redis-$PHPREDIS_VERSION </dev/null >/out/build.log 2>&1 && cp \"\$(php-config --extension-dir)/redis.so\" /out/redis.so"; then
      cp "$out/redis.so" "$so.$$" && mv -f "$so.$$" "$so"
      log "built phpredis $PHPREDIS_VERSION"
    else
      log "phpredis did not build; PHP keeps file sessions. The build's last lines:"
      tail -n 20 "$out/build.log" 2>/dev/null || true
    fi
    rm -rf "$out"
  fi
  if [ -s "$so" ]; then
    cp "$so" "$app_dir/php-ext/redis.so"
  fi
}

write_settings() {
  if [ -s "$app_dir/php-ext/redis.so" ]; then
    cat > "$app_dir/week5-php.ini" <<'INI'
; Day 2 case: PHP sessions (the installer's, the back office's) in ElastiCache, so any instance
; behind the load balancer answers the next request of a session. TLS; the AUTH token and the
; endpoint come from the container's environment (.env, filled from Secrets Manager at boot).
extension = /usr/local/lib/php/week5/redis.so
session.save_handler = redis
session.save_path = "tls://${REDIS_HOST}:${REDIS_PORT}?auth=${REDIS_AUTH_TOKEN}&timeout=2&read_timeout=2"
INI
  else
    echo '; phpredis did not build on this instance: PHP keeps file sessions' > "$app_dir/week5-php.ini"
  fi
  cat > "$app_dir/week5-health.conf" <<'CONF'
# Liveness for the load balancer: Apache answers from a local file, without PHP, the database,
# Redis or the shared file system, so a failover of one of them replaces no instance.
Alias /health /var/www/week5-health.txt
CONF
  echo ok > "$app_dir/health.txt"
}

docker pull -q "$image"
seed_docroot &
seeding=$!
build_phpredis
wait "$seeding"
write_settings
log "ready for docker compose up"
