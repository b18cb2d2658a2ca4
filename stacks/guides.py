"""The lab guides' own words: each lab's goal (목표) and its console steps, each mapped to the
construct and prop in ``stacks/`` that does it. ``python -m stacks.guides`` (or
``scripts/docs``) writes ``docs/labs/`` from these and the synthesized templates; a test fails
when the committed guides are stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict

from week5.analysis.guide import LabGuide, write_guides

PROJECT_ROOT = Path(__file__).resolve().parent.parent

GUIDES: Dict[str, LabGuide] = {
    "Day1Lab1": LabGuide(
        goal="Docker 실행 가능한 EC2 환경 구축",
        steps=(
            (
                "Step 1: VPC 생성 — `week5-day1-vpc` 10.0.0.0/16, 퍼블릭 서브넷 10.0.1.0/24 "
                "(ap-northeast-2a), 인터넷 게이트웨이, 0.0.0.0/0 → IGW",
                '`MultiAzVpc(self, "Network", availability_zones=settings.azs[:1], '
                "private_subnet_cidrs=())`",
            ),
            (
                "Step 2: 보안 그룹 — HTTP 80, SSH 22, 아웃바운드 전체",
                "`DockerHost(..., ssh_cidr=settings.ssh_cidr)`: 80은 인터넷에서, 22는 "
                "`-c ssh_cidr=<내 IP>/32`일 때만 (FAQ Q9)",
            ),
            (
                "Step 3: EC2 — Amazon Linux 2023, t3.micro, 퍼블릭 IP, User Data로 Docker 설치",
                '`DockerHost(self, "WebHost", subnet=public_subnets[0], '
                "compose_file=wordpress.yml)`: Docker 설치 후 WordPress 실행, 비밀번호는 "
                "Secrets Manager",
            ),
            (
                "Step 4: 접속 및 확인 — 퍼블릭 IP, SSH, `docker --version`",
                "출력 `SiteUrl`, `SsmCommand` (Session Manager, 22번 포트 불필요)",
            ),
        ),
        by_hand="`ssh -i`용 키 페어 (무료지만 남음), 탄력적 IP (연결하지 않으면 시간당 $0.005)",
    ),
    "Day1Lab2": LabGuide(
        goal="고가용성을 위한 Multi-AZ 네트워크",
        steps=(
            (
                "Step 1: Multi-AZ VPC — 10.0.0.0/16, 서브넷 4개 (Public-A 10.0.1.0/24, "
                "Public-B 10.0.2.0/24, Private-A 10.0.11.0/24, Private-B 10.0.12.0/24), IGW, "
                "NAT Gateway (Public-A), 라우팅 테이블",
                '`MultiAzVpc(self, "Network", nat=NatMode.SINGLE_GATEWAY)`: 기본값이 강의 '
                "CIDR과 AZ",
            ),
            (
                "Step 2: Bastion Host — Public-A에 Bastion, Private-A에 Private 인스턴스, "
                "SSH(22)만",
                '`BastionPair(self, "BastionPair", ssh_cidr=settings.ssh_cidr)`: Private '
                "인스턴스는 Bastion에서만 22 허용",
            ),
            (
                "Step 3: 웹 서버 배포 — 각 AZ의 Public Subnet에 웹 서버",
                '`LabHost(self, "Web1"/"Web2", subnet=public_subnets[i], '
                "internet_ports=(80,), user_data_lines=web_page())`",
            ),
        ),
        by_hand="스택과 비교하려고 콘솔에서 만든 NAT 게이트웨이나 탄력적 IP",
    ),
    "Day1Case": LabGuide(
        goal="블로그 플랫폼 (WordPress) 2-tier: 웹은 퍼블릭, DB는 프라이빗",
        steps=(
            (
                "VPC: 격리된 네트워크 — 퍼블릭과 프라이빗 서브넷",
                '`MultiAzVpc(self, "Network", nat=NatMode.INSTANCE)`: 프라이빗 호스트는 '
                "t4g.nano NAT 인스턴스로 이미지를 받음 (FAQ의 저렴한 선택)",
            ),
            (
                "Private Subnet: MySQL (컨테이너로 시작)",
                '`DockerHost(self, "MysqlHost", subnet=private_subnets[0], '
                "compose_file=mysql.yml)`",
            ),
            (
                "Public Subnet: WordPress 컨테이너 (EC2)",
                '`DockerHost(self, "WordpressHost", compose_file=wordpress-web.yml, '
                'compose_env={"WORDPRESS_DB_HOST": mysql의 프라이빗 IP})`',
            ),
            (
                "Security Groups: 웹(80), SSH(22), MySQL(3306)",
                "`DockerHost(..., default_port=3306)`, "
                "`db_host.connections.allow_default_port_from(web_host)`: 3306은 웹 서버의 "
                "보안 그룹에서만",
            ),
        ),
        by_hand="WordPress와 MySQL 옆에 손으로 띄운 인스턴스",
    ),
    "Day2Lab1": LabGuide(
        goal="EBS 볼륨 관리 및 스냅샷 활용, EFS 공유 스토리지",
        steps=(
            (
                "Step 1: EBS 볼륨 생성 — gp3 볼륨 생성, 연결, 파일시스템 생성과 마운트",
                '`DataVolume(self, "DataVolume", host=hosts[0])`: 암호화된 gp3 1 GiB를 '
                "/dev/sdf에, 부팅 때 비어 있으면 포맷하고 /data에 마운트",
            ),
            (
                "Step 2: 스냅샷 & 복구 — 스냅샷 생성, 새 볼륨으로 복원, 데이터 확인",
                '`ScheduledSnapshots(self, "DataSnapshots", volume=...)`: 15분마다 스냅샷; '
                "`-c restore_snapshot_id=snap-...`로 다시 배포하면 /dev/sdg에 복원 볼륨",
            ),
            (
                "Step 3: EFS 공유 스토리지 — EFS 생성, 여러 EC2에서 마운트",
                '`SharedFileSystem(self, "SharedFiles")`, `shared.grant_connect(host)`, '
                "`shared.mount_lines()`: AZ마다 마운트 타깃, NFS는 호스트에서만",
            ),
            (
                "Step 4: 리소스 정리",
                "`cdk destroy`: 볼륨, EFS, 그리고 `LeftoverCleanup`이 이 볼륨의 스냅샷까지 삭제",
            ),
        ),
        by_hand="콘솔에서 스냅샷으로 만든 볼륨 (`-c restore_snapshot_id`가 아닌 것), 호스트의 AMI",
    ),
    "Day2Lab2": LabGuide(
        goal="S3로 정적 사이트 배포, CloudFront로 전 세계에 캐싱",
        steps=(
            (
                "Step 1: S3 버킷 생성 — 정적 웹 호스팅, 버킷 정책, HTML/CSS/JS 업로드",
                '`StaticSite(self, "Site", content_dir=week5/assets/sites/cloudmart-static)`: 비공개 '
                "버킷 + OAC (`website_mode=True`는 콘솔의 공개 웹 호스팅 방식)",
            ),
            (
                "Step 2: CloudFront 배포 — Distribution 생성, 캐싱 동작 확인",
                "`StaticSite`의 `distribution`: HTTPS 리디렉션, 기본 객체 index.html",
            ),
            ("Step 3: 성능 테스트", "출력 `SiteUrl`에 `curl -I`로 `x-cache` 헤더 확인"),
        ),
        by_hand="콘솔 단계를 따라 손으로 만든 CloudFront 배포나 버킷",
    ),
    "Day2Case": LabGuide(
        goal="E-Commerce (PrestaShop): 정적/동적 분리, CDN, 관리형 DB와 캐시",
        steps=(
            (
                "CloudFront + S3: 정적 파일 CDN",
                '`StaticSite(self, "StaticFiles")`',
            ),
            (
                "ALB + EC2: PrestaShop 컨테이너",
                '`HaWebTier(self, "Shop", min_capacity=1, max_capacity=2)`, compose는 '
                "`prestashop.yml`",
            ),
            ("RDS: MySQL 데이터베이스", '`MysqlDatabase(self, "Database")` (MySQL 8.4)'),
            ("ElastiCache: 세션 스토어 & 상품 캐시", '`RedisCache(self, "Cache")`'),
        ),
        by_hand="PrestaShop 호스트의 AMI",
    ),
    "Day3Lab1": LabGuide(
        goal="Multi-AZ RDS 구성 및 애플리케이션 연동",
        steps=(
            (
                "Step 1: RDS 인스턴스 생성 — db.t3.micro PostgreSQL, Multi-AZ, 보안 그룹",
                '`PostgresDatabase(self, "Database", multi_az=True)`: 5432는 클라이언트 '
                "보안 그룹에서만, 비밀은 클라이언트 역할만 읽기 (`database.grant_connect(client)`)",
            ),
            (
                "Step 2: 데이터베이스 연결 — EC2에서 psql, 테이블 생성과 데이터 삽입",
                '`LabHost(self, "Client", user_data_lines=install_psql_client(...))`: '
                "`sudo lab-psql`이 Secrets Manager에서 자격 증명을 읽어 TLS로 접속",
            ),
            (
                "Step 3: 백업 & 복원 — 수동 스냅샷 생성",
                '출력 `SnapshotCommand`; `LeftoverCleanup(self, "SnapshotCleanup", '
                "databases=[...])`이 스택 삭제 때 수동 스냅샷도 삭제",
            ),
        ),
        by_hand="수동 스냅샷에서 복원한 데이터베이스",
    ),
    "Day3Lab2": LabGuide(
        goal="ElastiCache Redis로 성능 최적화 (Cache-Aside)",
        steps=(
            (
                "Step 1: ElastiCache 클러스터 — Redis 클러스터 생성, 보안 그룹",
                '`RedisCache(self, "Cache")`: cache.t3.micro, TLS, AUTH 토큰은 Secrets '
                "Manager, 6379는 앱 호스트에서만",
            ),
            (
                "Step 2: 캐싱 로직 구현 — Cache-Aside, 성능 비교",
                '`DockerHost(self, "AppHost", compose_file=cache-demo.yml, '
                'app_files={"cache_demo.py": ...})`: `/products/<id>`, `/compare/<id>`',
            ),
            ("Step 3: 세션 스토어 — 세션 데이터 Redis 저장", "데모 앱의 `/session` 경로"),
        ),
        by_hand="손으로 만든 ElastiCache 백업",
    ),
    "Day3Case": LabGuide(
        goal="FinTech: WAF, API, Multi-AZ 트랜잭션 DB, 실시간 캐시, 거래 내역 아카이브",
        steps=(
            ("WAF: DDoS 방어와 SQL Injection 차단", "`wafv2.CfnWebACL` (관리형 규칙 + 속도 제한)"),
            (
                "ALB + API Gateway: HTTPS 종료와 라우팅",
                "`apigw.HttpApi` → WAF가 붙은 ALB (`HaWebTier`의 `alb`)",
            ),
            (
                "EC2: Node.js API 서버",
                '`HaWebTier(self, "ApiServers")`, compose는 `fintech-api.yml`',
            ),
            (
                "RDS PostgreSQL (Multi-AZ), ElastiCache Redis",
                '`PostgresDatabase(..., multi_az=True)`, `RedisCache(self, "Cache")`',
            ),
            ("S3: 거래 내역 장기 보관 (Glacier)", '`s3.Bucket(self, "Archive")` + 수명 주기 규칙'),
        ),
        by_hand="거래 DB의 수동 스냅샷",
    ),
    "Day4Lab1": LabGuide(
        goal="자동 확장 가능한 웹 서비스 구축",
        steps=(
            (
                "Step 1: Launch Template — User Data로 웹 서버 설치, 보안 설정",
                '`HaWebTier(self, "Web")`: IMDSv2, 암호화된 gp3, 인스턴스는 ALB에서만 80',
            ),
            (
                "Step 2: ALB 생성 — Application Load Balancer, Target Group, Health Check",
                "`HaWebTier`의 `alb`, `target_group` (헬스 체크 `/`)",
            ),
            (
                "Step 3: Auto Scaling Group — Min 2, Max 4, Target Tracking, 부하 테스트",
                "`HaWebTier(min_capacity=2, max_capacity=4)`: CPU 50% 목표 추적",
            ),
        ),
        by_hand="스케일링 테스트용 부하 생성 인스턴스",
    ),
    "Day4Challenge": LabGuide(
        goal="완전한 HA 아키텍처: 웹, 앱, DB 티어를 두 AZ에",
        steps=(
            ("Multi-AZ 인프라", "`MultiAzVpc(nat=NatMode.GATEWAY_PER_AZ)`: AZ마다 NAT 게이트웨이"),
            ("Web Tier: ALB + ASG", '`HaWebTier(self, "Web")` (인터넷 ALB)'),
            (
                "App Tier: Internal ALB + ASG",
                '`HaWebTier(self, "App", internet_facing=False)`, 웹 티어에서만 '
                "(`app.grant_connect(web)`), 앱은 `week5/assets/apps/tier_app.py`",
            ),
            ("DB Tier: Multi-AZ RDS", '`PostgresDatabase(self, "Database", multi_az=True)`'),
        ),
        by_hand="장애 테스트 전에 만든 DB 수동 스냅샷",
    ),
    "Day4Case": LabGuide(
        goal="뉴스 포털: 읽기 중심 워크로드, 트래픽 급증 대응, 글로벌 CDN",
        steps=(
            (
                "CloudFront + S3: 정적 콘텐츠와 미디어",
                '`StaticSite(self, "Site", behaviors={"/news/*": ALB, "/media/*": 미디어 버킷})`',
            ),
            ("ALB + ASG: 뉴스 서버 (Ghost)", '`HaWebTier(self, "News")`, compose는 `ghost.yml`'),
            ("ElastiCache: 인기 기사 캐싱", '`RedisCache(self, "Cache")`'),
            (
                "RDS Read Replica: 읽기 부하 분산",
                '`MysqlDatabase(self, "Database", read_replicas=1)`',
            ),
        ),
        by_hand="Ghost DB나 복제본의 수동 스냅샷",
    ),
    "Day5Lab1": LabGuide(
        goal="CloudMart 전체 인프라 AWS 배포",
        steps=(
            (
                "Step 1: 네트워크 구성 — Multi-AZ VPC, Public/Private Subnets",
                "`CloudMartStack` → `MultiAzVpc`",
            ),
            (
                "Step 2: 데이터베이스 배포 — RDS PostgreSQL (Multi-AZ), ElastiCache Redis",
                "`CloudMartStack(db_multi_az=True)` → `PostgresDatabase`, `RedisCache`",
            ),
            (
                "Step 3: 애플리케이션 배포 — Frontend: S3 + CloudFront, Backend: EC2 + ALB + ASG",
                "`CloudMartStack` → `StaticSite` (`/api/*`는 ALB로), `HaWebTier`; 내 이미지는 "
                "`-c cloudmart_backend_image=...`",
            ),
            ("Step 4: 검증", "출력 `CloudMartUrl`, `ApiHealthUrl`"),
        ),
        by_hand="내 백엔드 이미지(`cloudmart_backend_image`)용 ECR 리포지토리",
    ),
    "Day5Challenge": LabGuide(
        goal="프로덕션급 CloudMart: 고가용성, 자동 확장, 모니터링, 백업, 비용 ($0.80 이하)",
        steps=(
            ("1. 고가용성 (Multi-AZ)", "`CloudMartStack` 설정: Multi-AZ RDS, Redis 복제본 1개"),
            ("2. 자동 확장 (ASG)", "`HaWebTier` 2-4대, 목표 추적"),
            ("3. 모니터링 (CloudWatch)", "알람 → SNS (`-c alarm_email=...`), 대시보드"),
            ("4. 백업 & 복구 전략", "RDS 자동 백업 7일 (`db_backup_retention_days=7`)"),
            (
                "5. 비용 최적화",
                "Graviton (t4g, db.t4g, cache.t4g), Valkey; `week5 cost Day5Challenge`",
            ),
        ),
        by_hand="ECR 리포지토리, 백업 단계에서 만든 DB 수동 스냅샷",
    ),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="write docs/labs/ from the templates")
    parser.add_argument(
        "--out", default=str(PROJECT_ROOT / "docs" / "labs")
    )
    parser.add_argument("--no-pictures", action="store_true", help="text and guides only")
    args = parser.parse_args(argv)
    from stacks.catalog import CATALOG
    from week5.synth.app_builder import synthesize_templates

    templates = synthesize_templates(CATALOG, PROJECT_ROOT / "cdk.json")
    written = write_guides(CATALOG, GUIDES, templates, Path(args.out), pictures=not args.no_pictures)
    print(f"Wrote {len(written)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
