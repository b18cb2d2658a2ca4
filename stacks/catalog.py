"""Every lab of the course, in course order. Adding a lab means adding an entry here.

Each stack module is imported when its lab is built (``LazyBuild``), so building one lab does
not import every day's constructs.
"""

from week5.core.catalog import Catalog, Lab, LazyBuild

CATALOG = Catalog(
    [
        Lab(
            "Day1Lab1",
            "VPC & EC2 기본 구성",
            "VPC and EC2 basics",
            0.10,
            LazyBuild("stacks.day1", "Day1Lab1Stack"),
        ),
        Lab(
            "Day1Lab2",
            "멀티 AZ 네트워크",
            "Multi-AZ network",
            0.15,
            LazyBuild("stacks.day1", "Day1Lab2Stack"),
        ),
        Lab(
            "Day1Case",
            "고객 사례 - 블로그 플랫폼 아키텍처",
            "Customer case: blog platform (WordPress)",
            None,
            LazyBuild("stacks.day1", "Day1CaseStack"),
        ),
        Lab(
            "Day2Lab1",
            "EBS & 데이터 영속성",
            "EBS persistence, snapshots and EFS",
            0.15,
            LazyBuild("stacks.day2", "Day2Lab1Stack"),
        ),
        Lab(
            "Day2Lab2",
            "S3 정적 웹 호스팅",
            "S3 static hosting with CloudFront",
            0.10,
            LazyBuild("stacks.day2", "Day2Lab2Stack"),
        ),
        Lab(
            "Day2Case",
            "고객 사례 - E-Commerce 플랫폼",
            "Customer case: e-commerce (PrestaShop)",
            None,
            LazyBuild("stacks.day2", "Day2CaseStack"),
        ),
        Lab(
            "Day3Lab1",
            "RDS PostgreSQL 구성",
            "RDS PostgreSQL (Multi-AZ)",
            0.20,
            LazyBuild("stacks.day3", "Day3Lab1Stack"),
        ),
        Lab(
            "Day3Lab2",
            "Redis 캐싱 구현",
            "Redis caching (Cache-Aside)",
            0.20,
            LazyBuild("stacks.day3", "Day3Lab2Stack"),
        ),
        Lab(
            "Day3Case",
            "고객 사례 - FinTech 플랫폼",
            "Customer case: FinTech (WAF, API Gateway, RDS, Redis, archive)",
            None,
            LazyBuild("stacks.day3", "Day3CaseStack"),
        ),
        Lab(
            "Day4Lab1",
            "ALB + ASG 구성",
            "ALB and Auto Scaling",
            0.30,
            LazyBuild("stacks.day4", "Day4Lab1Stack"),
        ),
        Lab(
            "Day4Challenge",
            "고가용성 아키텍처",
            "High availability: web, app and DB tiers across two AZs",
            0.40,
            LazyBuild("stacks.day4", "Day4ChallengeStack"),
        ),
        Lab(
            "Day4Case",
            "고객 사례 - News & Media 플랫폼",
            "Case: news platform (CloudFront, S3, ALB + ASG, Redis, RDS read replica)",
            None,
            LazyBuild("stacks.day4", "Day4CaseStack"),
        ),
        Lab(
            "Day5Lab1",
            "CloudMart 인프라 구축",
            "CloudMart on AWS",
            0.50,
            LazyBuild("stacks.day5", "Day5Lab1Stack"),
        ),
        Lab(
            "Day5Challenge",
            "프로덕션급 배포",
            "CloudMart, production-grade (HA, scaling, monitoring, backups, cost)",
            0.80,
            LazyBuild("stacks.day5", "Day5ChallengeStack"),
        ),
    ]
)
