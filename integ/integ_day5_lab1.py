"""Day 5 Lab 1 - CloudMart 인프라 구축 (step 4, 검증): CloudFront serves the frontend,
/api/health/deep answers through CloudFront with PostgreSQL and Redis both reached, the backend's
group reaches its size with healthy targets, and the database has its Multi-AZ standby."""

from cloudmart_promises import cloudmart_promises
from promises import LabPromise

lab = LabPromise("Day5Lab1")
cloudmart_promises(lab)
lab.synth()
