"""Day 3 case - FinTech: the balance API answers through API Gateway (and a repeated read comes
from Redis), a transfer commits through API Gateway, the API servers' group reaches its size,
their readiness check reaches PostgreSQL and Redis, and WAF on the ALB blocks an SQL injection."""

from promises import SLOW_APP_WAIT, LabPromise

lab = LabPromise("Day3Case")
balance_url = lab.url("ApiGatewayUrl", "/accounts/alice/balance")
balance = lab.json(
    "BalanceThroughApiGateway", balance_url, {"account": "alice"}, wait=SLOW_APP_WAIT
)
balance.next(
    lab.json("RepeatedBalanceFromRedis", balance_url, {"account": "alice", "cache": "hit"})
)
transfer = lab.json(
    "TransferThroughApiGateway",
    lab.url("ApiGatewayUrl", "/transfers"),
    {"from": "alice", "to": "bob", "amount_krw": 1000},
    status=201,
    post={"from": "alice", "to": "bob", "amount": 1000},
)
balance.next(transfer)
lab.json("ReadyThroughAlb", lab.url("AlbUrl", "/ready"), {"db": "ok", "redis": "ok"})
lab.group_at_size("ApiServersAtSize", lab.stack.api_servers)
lab.page(
    "WafBlocksSqlInjection",
    lab.url("AlbUrl", "/accounts/alice/balance?id=1%27%20OR%20%271%27%3D%271"),
    status=403,
)
lab.synth()
