"""Day 5 Challenge - 프로덕션급 배포: Lab 1's checks (frontend, /api/health/deep through
CloudFront, the backend group at size, the database's standby), and Redis with automatic
failover across AZs (고가용성)."""

from cloudmart_promises import cloudmart_promises
from promises import LabPromise

lab = LabPromise("Day5Challenge")
cloudmart_promises(lab)
lab.synth()
