"""Day 3 Lab 2 - Redis 캐싱 구현: the demo app answers at the AppUrl and reaches Redis (TLS,
AUTH), a repeated read of /products/1 is a cache hit (Cache-Aside, step 2), /compare/1 times
the source against Redis (성능 비교), and /session keeps a session in Redis (step 3)."""

from promises import LabPromise

lab = LabPromise("Day3Lab2")
lab.page("AppUrlAnswers", lab.output("AppUrl"), shows="Cache-Aside")
lab.json("RedisReachable", lab.url("AppUrl", "/ready"), {"status": "ready", "redis": "ok"})
lab.json("RepeatedReadIsCacheHit", lab.output("CacheAsideUrl"), {"cache": "hit"})
lab.json("CompareAnswers", lab.output("CompareUrl"), {"product_id": 1})
lab.json("SessionInRedis", lab.output("SessionUrl"), {"visits": 1})
lab.synth()
