"""The lab guides' own words: each lab's goal (목표) and its console steps, each mapped to the
construct and prop in ``stacks/`` that does it. ``python -m stacks.guides`` (or
``scripts/docs``) writes ``docs/labs/`` from these and the synthesized templates; a test fails
when the committed guides are stale.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Dict

from week5.analysis.guide import LabGuide, OutFolderError, out_folder, write_guides
from week5.core.errors import shown

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Set by ``scripts/docs`` to the folder it was run in (it changes into the project root), so
#: that a relative ``--out`` is taken from there; unset, from the current folder.
CALLED_FROM = "WEEK5_DOCS_CALLED_FROM"

GUIDES: Dict[str, LabGuide] = {
    "Day1Lab1": LabGuide(
        course_steps=(
            ("Step 1: VPC 생성", 15),
            ("Step 2: Security Group 생성", 10),
            ("Step 3: EC2 인스턴스 생성", 20),
            ("Step 4: 접속 및 확인", 5),
        ),
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
                "`-c ssh_cidr=<내 IP>/32`일 때만 (FAQ Q9). 22를 열지 않아도 Step 4의 SSH는 "
                "Session Manager로 됩니다",
            ),
            (
                "Step 3: EC2 — Amazon Linux 2023, t3.micro, 퍼블릭 IP, User Data로 Docker 설치",
                '`DockerHost(self, "WebHost", subnet=public_subnets[0], '
                "compose_file=wordpress.yml)`: Docker 설치 후 WordPress 실행, 비밀번호는 "
                "Secrets Manager. 사이트 주소는 요청의 Host를 따르므로 (`WORDPRESS_CONFIG_EXTRA`의 "
                "`WP_HOME`/`WP_SITEURL`) 중지 후 시작해 퍼블릭 IP가 바뀌어도 새 IP에서 열림",
            ),
            (
                "Step 4: 접속 및 확인 — 퍼블릭 IP, SSH, `docker --version`",
                '`LabKeyPair(self, "SshKey")`: 스택이 키 페어 `week5-<이름>-Day1Lab1-SshKey`를 '
                "만들고 개인 키는 Parameter Store에 (스택과 함께 삭제). 4.1 출력 `PublicIp`. "
                "4.2 출력 `KeyCommand`(Windows: `KeyCommandPowerShell`)로 키 파일을 받고 "
                "`SshCommand`로 접속: `ssh -i week5-<이름>-Day1Lab1-SshKey.pem -o "
                'ProxyCommand="aws ssm start-session --target %h --document-name '
                'AWS-StartSSHSession --parameters portNumber=%p --region ap-northeast-2" '
                "ec2-user@i-...` (Session Manager 경유, 22번 포트를 열지 않음; PowerShell에서도 "
                "그대로). `-c ssh_cidr=<내 IP>/32`로 배포하면 `SshDirectCommand`가 강의 그대로 "
                "`ssh -i <키> ec2-user@<퍼블릭 IP>`. 4.3 접속한 셸에서 `docker --version`. "
                "WordPress는 `SiteUrl` (배포 때의 IP: 중지 후 시작했다면 `aws ec2 describe-instances "
                "--instance-ids <InstanceId> --query \"Reservations[0].Instances[0].PublicIpAddress\" "
                "--output text`로 새 IP 확인)",
            ),
        ),
        by_hand="`-c key_name`으로 쓰려고 콘솔에서 만든 키 페어 (무료지만 남음; 스택이 만든 "
        "키는 함께 삭제), 탄력적 IP (연결 여부와 관계없이 시간당 $0.005: 퍼블릭 IPv4는 모두 과금)",
    ),
    "Day1Lab2": LabGuide(
        course_steps=(
            ("Step 1: Multi-AZ VPC", 20),
            ("Step 2: Bastion Host", 15),
            ("Step 3: 웹 서버 배포", 10),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="고가용성을 위한 Multi-AZ 네트워크",
        steps=(
            (
                "Step 1: Multi-AZ VPC — 10.0.0.0/16, 서브넷 4개 (Public-A 10.0.1.0/24, "
                "Public-B 10.0.2.0/24, Private-A 10.0.11.0/24, Private-B 10.0.12.0/24), IGW, "
                "NAT Gateway (Public-A), 라우팅 테이블",
                '`MultiAzVpc(self, "Network", nat=NatMode.SINGLE_GATEWAY)`: 기본값이 강의 '
                "CIDR과 AZ. 강의대로 NAT 게이트웨이는 Public-A에 하나: AZ-A가 멈추면 Private-B도 "
                "인터넷을 잃음 (AZ마다 NAT를 두는 구성은 Day4Challenge)",
            ),
            (
                "Step 2: Bastion Host — Public-A에 Bastion, Private-A에 Private 인스턴스, "
                "SSH(22)만",
                '`BastionPair(self, "BastionPair", ssh_cidr=settings.ssh_cidr)`: Private '
                "인스턴스는 Bastion에서만 22 허용. 접속 명령은 스택이 출력으로 씀: "
                "`add_jump_outputs(self, pair.bastion, pair.private_host, "
                'ssh=("SshCommand", "..."), ...)`',
            ),
            (
                "Step 2.4: Bastion 통해 Private 접근 테스트",
                '`LabKeyPair(self, "SshKey")`를 모든 호스트가 받음. 출력 `KeyCommand`'
                "(Windows: `KeyCommandPowerShell`)로 키 파일을 받고 "
                "`SshCommand`로 접속: Bastion은 Session Manager(`AWS-StartSSHSession`)로, "
                "거기서 Private 인스턴스의 22번으로 — `ssh -i <키> "
                "-o ProxyCommand=\"ssh -i <키> -W %h:%p -o 'ProxyCommand=aws ssm start-session "
                "--target <bastion-id> --document-name AWS-StartSSHSession --parameters "
                "portNumber=22 --region ap-northeast-2' ec2-user@<bastion-id>\" "
                "ec2-user@<private-ip>` (`ssh -J`와 같은 경로, 키는 두 번 모두). Windows "
                "PowerShell: `PrivateHostTunnelCommand`를 열어 두고 다른 창에서 "
                "`PrivateHostTunnelSshCommand`. Bastion만: `BastionSshCommand`. "
                "`-c ssh_cidr=<내 IP>/32`면 Bastion의 퍼블릭 IP를 거치는 `SshDirectCommand`도 "
                "(Bastion만: `BastionSshDirectCommand`)",
            ),
            (
                "Step 3: 웹 서버 배포 — 각 AZ의 Public Subnet에 웹 서버, 연결 테스트",
                '`LabHost(self, "Web1"/"Web2", subnet=public_subnets[i], '
                "internet_ports=(80,), user_data_lines=web_page())`: 출력 `Web1Url`, `Web2Url`",
            ),
            (
                "Step 4: 리소스 정리",
                "`cdk destroy`: 키 페어와 Parameter Store의 개인 키까지 삭제",
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
                "t4g.nano NAT 인스턴스로 이미지를 받음 (FAQ의 저렴한 선택; Public-A에 한 대라 "
                "그 인스턴스나 AZ가 멈추면 프라이빗 호스트는 인터넷을 잃음)",
            ),
            (
                "Private Subnet: MySQL (컨테이너로 시작)",
                '`DockerHost(self, "MysqlHost", subnet=private_subnets[0], '
                "compose_file=mysql.yml)`",
            ),
            (
                "Public Subnet: WordPress 컨테이너 (EC2)",
                '`DockerHost(self, "WordpressHost", compose_file=wordpress-web.yml, '
                'compose_env={"WORDPRESS_DB_HOST": mysql의 프라이빗 IP})`. 사이트 주소는 요청의 '
                "Host를 따르므로 (`WP_HOME`/`WP_SITEURL`) 중지 후 시작해도 새 퍼블릭 IP에서 열림",
            ),
            (
                "Security Groups: 웹(80), SSH(22), MySQL(3306)",
                "`DockerHost(..., default_port=3306)`, "
                "`db_host.connections.allow_default_port_from(web_host)`: 3306은 웹 서버의 "
                "보안 그룹에서만. SSH(22): 두 호스트가 스택의 키 페어를 받음 — 출력 "
                "`KeyCommand`로 키를 받고 `WordpressSshCommand`(Session Manager 경유, 22번 포트를 "
                "열지 않음), `MysqlSshCommand`(WordPress 호스트를 거쳐 MySQL의 22번으로; "
                "Windows는 `MysqlTunnelCommand` 후 `MysqlTunnelSshCommand`). 결과는 `SiteUrl`",
            ),
        ),
        by_hand="WordPress와 MySQL 옆에 손으로 띄운 인스턴스",
    ),
    "Day2Lab1": LabGuide(
        course_steps=(
            ("Step 1: EBS 볼륨 생성", 15),
            ("Step 2: 스냅샷 & 복구", 20),
            ("Step 3: EFS 공유 스토리지", 10),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="EBS 볼륨 관리 및 스냅샷 활용, EFS 공유 스토리지",
        steps=(
            (
                "Step 1: EBS 볼륨 생성 — gp3 볼륨 생성, 연결, 파일시스템 생성과 마운트",
                '`DataVolume(self, "DataVolume", host=hosts[0])`: 암호화된 gp3 1 GiB를 '
                "/dev/sdf에, 부팅 때 비어 있으면 포맷하고 /data에 마운트",
            ),
            (
                "Step 2: 스냅샷 & 복구 — 스냅샷 생성, 새 볼륨으로 복원, 데이터 확인",
                '`ScheduledSnapshots(self, "DataSnapshots", volume=...)`가 15분마다 예약 '
                "스냅샷을 찍습니다. 비교할 데이터: 호스트 A의 부팅 스크립트가 첫 부팅 때 "
                "/data/hello.txt에 `written <UTC 시각> by <호스트 이름>`을 씁니다 "
                "(`HostASsmCommand` 세션에서 `cat /data/hello.txt`). 2.1 스냅샷 생성: 출력 "
                "`SnapshotCommand`(`aws ec2 create-snapshot --volume-id <DataVolumeId> "
                "--tag-specifications 'ResourceType=snapshot,Tags=[{Key=Week,Value=Week5},...]'`)가 "
                "과정 태그(Week, Day, Lab, Student)를 단 스냅샷을 만들고 ID를 출력 (태그가 있어 "
                "`week5 status`와 `week5 cleanup`이 찾음; 콘솔의 \"스냅샷 생성\"은 태그를 달지 "
                "않음). `ListSnapshotsCommand`가 이 볼륨의 스냅샷을 오래된 순으로 보여 줌 (예약과 "
                "직접 만든 것, Description으로 구분). 2.2 복원: State가 `completed`가 되면 (몇 분) "
                "`RestoreHint`의 명령에 그 ID를 넣어 다시 배포 (`-c restore_snapshot_id=snap-...`, "
                "몇 분; Windows PowerShell은 `RestoreHintPowerShell`, `py scripts\\cdk.py ...`). "
                "새 볼륨이 호스트 A의 /dev/sdg에 붙고, 그 배포의 출력에 "
                "`RestoredMountCommand`가 생깁니다 (처음 배포의 출력 목록에는 없음). 2.3 데이터 "
                "무결성 확인: 호스트 A 세션에서 `RestoredMountCommand`(`sudo "
                "/usr/local/bin/lab-mount-volume /dev/sdg /restored --restored`, 읽기 전용 마운트) "
                "다음 `sha256sum /data/hello.txt /restored/hello.txt`: 두 해시가 같고 `cat`으로 본 "
                "내용(시각과 호스트 이름)도 같으면 스냅샷 시점의 데이터가 그대로입니다. 스냅샷 "
                "뒤에 쓴 파일(예: `echo after | sudo tee /data/after.txt`)은 /restored에 없습니다. "
                "예약 스냅샷으로 복원한다면: 첫 것은 배포 중 볼륨이 포맷되기 전에 찍혀 비어 "
                "있으니 hello.txt의 시각보다 늦은 것으로",
            ),
            (
                "Step 3: EFS 공유 스토리지 — EFS 생성, 여러 EC2에서 마운트",
                '`SharedFileSystem(self, "SharedFiles")`, `shared.grant_connect(host)`, '
                "`shared.mount_lines()`: AZ마다 마운트 타깃, NFS는 호스트에서만; 익명 마운트는 "
                "거부되므로 호스트는 자기 역할(IAM)로 마운트 (`mount -t efs -o tls,iam`)",
            ),
            (
                "Step 4: 리소스 정리",
                "`cdk destroy`: 볼륨, EFS, 그리고 `LeftoverCleanup`이 이 볼륨의 스냅샷까지 삭제 "
                "(내가 만든 AMI가 쓰는 스냅샷은 남기고 로그에 이름을 남김: AMI 등록 취소 후 손으로 "
                "삭제)",
            ),
        ),
        by_hand="콘솔에서 스냅샷으로 만든 볼륨 (`-c restore_snapshot_id`가 아닌 것), 호스트의 AMI",
    ),
    "Day2Lab2": LabGuide(
        course_steps=(
            ("Step 1: S3 버킷 생성", 15),
            ("Step 2: CloudFront 배포", 25),
            ("Step 3: 성능 테스트", 5),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="S3로 정적 사이트 배포, CloudFront로 전 세계에 캐싱",
        steps=(
            (
                "Step 1: S3 버킷 생성 — 정적 웹 호스팅 설정, 버킷 정책 구성, HTML/CSS/JS 업로드",
                '`StaticSite(self, "Site", content_dir=week5/assets/sites/cloudmart-static, '
                "website_mode=True)`: 강의 그대로 정적 웹 호스팅(인덱스 문서 index.html)과 "
                "누구나 읽을 수 있는 버킷 정책(`s3:GetObject`, 퍼블릭 ACL은 계속 차단), 파일은 "
                "배포 때 업로드. 1.1 출력 `WebsiteUrl`(S3 웹 사이트 엔드포인트, HTTP만)을 "
                "브라우저로 열기. 1.2 `BucketPolicyCommand`: `aws s3api get-bucket-policy "
                "--bucket <버킷> --query Policy --output text; aws s3api get-bucket-website "
                "--bucket <버킷>`. 웹 사이트 엔드포인트는 HTTP만 말하므로 이 버킷만 TLS 강제 "
                "정책이 없습니다 (다른 실습의 버킷은 비공개 + OAC). 계정 수준 퍼블릭 액세스 "
                "차단이 켜져 있으면 버킷 정책 단계가 실패합니다: `aws s3control "
                "get-public-access-block --account-id <계정>`으로 확인",
            ),
            (
                "Step 2: CloudFront 배포 — Distribution 생성, 캐싱 동작 확인",
                "`StaticSite`의 `distribution`: 오리진은 S3 웹 사이트 엔드포인트(HTTP 사용자 "
                "지정 오리진), 시청자는 HTTPS(HTTP는 리디렉션), CachingOptimized 캐시 정책. "
                "2.1 출력 `SiteUrl`(https). 2.2 `CacheCheckCommand`(bash; Windows PowerShell은 "
                "`CacheCheckCommandPowerShell`, `curl.exe`): 같은 URL을 두 번 요청해 "
                "`x-cache: Miss from cloudfront` 다음 `Hit from cloudfront`, `x-amz-cf-pop`은 "
                "응답한 엣지 (ICN = 서울)",
            ),
            (
                "Step 3: 성능 테스트 — 글로벌 접근 테스트",
                "출력 `PerformanceTestCommand`(bash; Windows PowerShell은 "
                "`PerformanceTestCommandPowerShell`): S3 웹 사이트와 CloudFront에 세 번씩 요청하고 "
                "`curl -w`로 첫 바이트(`ttfb`)와 전체 시간을 한 줄씩 출력 — 엣지 캐시가 찬 "
                "뒤의 CloudFront와 리전 하나의 S3를 비교. 다른 지역에서의 응답은 VPN이나 "
                "다른 리전의 인스턴스에서 같은 명령으로",
            ),
            (
                "Step 4: 리소스 정리",
                "`cdk destroy`: 배포를 지우고, 버킷을 비운 뒤 삭제 (CloudFront 삭제에 약 7분)",
            ),
        ),
        by_hand="콘솔 단계를 따라 손으로 만든 CloudFront 배포나 버킷",
    ),
    "Day2Case": LabGuide(
        goal="E-Commerce (PrestaShop): 정적/동적 분리, CDN, 관리형 DB와 캐시",
        steps=(
            (
                "CloudFront + S3: 정적 파일 CDN, 상품 이미지 스토리지",
                '`StaticSite(self, "StaticFiles")` (비공개 버킷 + OAC): 출력 `StaticUrl`',
            ),
            (
                "ALB + EC2: PrestaShop 컨테이너",
                '`HaWebTier(self, "Shop", min_capacity=1, max_capacity=2, '
                'health_check_path="/health")`, compose는 `prestashop.yml` (PrestaShop '
                "8.2.7). 출력 `ShopUrl`을 열면 설치 마법사",
            ),
            (
                "RDS: MySQL 데이터베이스 (설치 마법사의 데이터베이스 단계)",
                '`MysqlDatabase(self, "Database")` (MySQL 8.4): 서버 주소는 출력 '
                "`DbEndpoint`, DB 이름 `prestashop`, 사용자 이름과 비밀번호는 "
                "`DbCredentialsCommand`(`aws secretsmanager get-secret-value ... --query "
                "SecretString --output text`)가 출력하는 JSON의 `username`, `password`. 설치가 "
                "끝나면 `RemoveInstallFolderCommand`로 install 폴더를 한 번 삭제 (EFS라 모든 "
                "인스턴스에 적용); 백오피스 주소는 PrestaShop이 처음 방문 때 바꾼 "
                "`/admin.../` (`ShopStatusCommand`가 보여 줌)",
            ),
            (
                "ElastiCache: 세션 스토어",
                '`RedisCache(self, "Cache")`: PrestaShop은 Redis 캐시를 직접 쓰지 않으므로 PHP '
                "세션을 Redis에 둡니다. 부팅 스크립트(`week5-prestashop-boot`)가 이미지에 "
                "맞는 phpredis를 한 번 빌드해 EFS에 캐시하고, `session.save_handler = redis`, "
                "`session.save_path = tls://${REDIS_HOST}:${REDIS_PORT}?auth=${REDIS_AUTH_TOKEN}` "
                "(값은 Secrets Manager에서 .env로, compose가 컨테이너 환경으로). 설치 마법사와 "
                "백오피스의 세션이 어느 인스턴스에서나 이어집니다. 확인: `ShopStatusCommand`의 "
                "`php sessions: redis`, `redis: ok, N sessions`",
            ),
            (
                "데이터 영속성: 모든 인스턴스가 같은 상점 (공유 상태)",
                'PrestaShop은 설치 상태를 파일로 둡니다 (`app/config/parameters.php`의 DB '
                "설정과 쿠키 키, 이름이 바뀐 admin 폴더, 상품 이미지, 모듈). 그래서 문서 루트"
                '(강의의 `prestashop_data` 볼륨)는 `SharedFileSystem(self, "ShopFiles")`(EFS)에 '
                "두고 모든 인스턴스가 `/mnt/efs/prestashop`을 마운트합니다. 첫 인스턴스가 "
                "이미지의 파일을 병렬로 복사해 한 번에 게시하고, 상품·주문·설정 데이터는 RDS. "
                "`ScaleOutCommand`(최소·원하는 용량 2: 원하는 용량만 올리면 유휴 그룹의 CPU "
                "목표 추적이 새 인스턴스가 부팅하기 전에 1대로 되돌림)로 늘린 인스턴스도 설치 "
                "마법사가 아니라 같은 상점을 보여 줍니다. 확인 후 `ScaleInCommand`로 최소 1대",
            ),
            (
                "고가용성: 헬스 체크와 준비 상태 분리",
                "대상 그룹은 `/health`만 확인: Apache가 로컬 파일로 답하고 PHP, DB, Redis, EFS를 "
                "부르지 않으므로 DB 재부팅이나 Redis 장애가 인스턴스를 교체하지 않습니다. "
                "저장소 상태(준비 상태)는 `ShopStatusCommand`: 한 인스턴스에서 "
                "`sudo /usr/local/bin/lab-shop-status`를 Session Manager로 실행 (EFS, 설치 여부, PHP 세션, "
                "DB, Redis). 이 설계가 견디는 것: 인스턴스 하나의 고장(Auto Scaling이 교체하지만 "
                "MinSize 1이라 새 인스턴스가 부팅할 때까지 상점이 멈춤), DB 재부팅과 Redis 재시작"
                "(그동안 페이지와 세션은 오류, 인스턴스는 그대로). 견디지 못하는 것: AZ 하나의 "
                "장애. 인스턴스는 한 대, RDS는 Multi-AZ가 아니고(대기 인스턴스가 없어 DB 장애 "
                "조치 자체가 없음: `aws rds reboot-db-instance --force-failover`는 단일 AZ DB에서 "
                "거부됨), Redis는 장애 조치 없는 노드 하나, NAT는 Public-A의 t4g.nano 인스턴스 "
                "한 대(`NatMode.INSTANCE`)라, AZ-A가 멈추면 다른 AZ의 새 인스턴스도 이미지를 받지 "
                "못해 상점이 멈춥니다. 이 사례의 학습 포인트(정적/동적 분리, CDN, 데이터 "
                "영속성)에 고가용성은 없어 비용을 줄인 설계입니다. 운영이라면 `HaWebTier("
                "min_capacity=2)`(MinSize 2, 두 AZ에 한 대씩), `MysqlDatabase(multi_az=True)`"
                "(Multi-AZ), `RedisCache(replicas=1)`(다른 AZ의 복제본과 자동 장애 조치), "
                "`NatMode.GATEWAY_PER_AZ` (EFS는 이미 두 AZ에 마운트 대상)",
            ),
        ),
        by_hand="PrestaShop 호스트의 AMI",
    ),
    "Day3Lab1": LabGuide(
        course_steps=(
            ("Step 1: RDS 인스턴스 생성", 20),
            ("Step 2: 데이터베이스 연결", 20),
            ("Step 3: 백업 & 복원", 5),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="Multi-AZ RDS 구성 및 애플리케이션 연동",
        steps=(
            (
                "Step 1: RDS 인스턴스 생성 — db.t3.micro PostgreSQL, Multi-AZ, 보안 그룹",
                '`PostgresDatabase(self, "Database", multi_az=True)`: 5432는 클라이언트 '
                "보안 그룹에서만, 비밀은 클라이언트 역할만 읽기 (`database.grant_connect(client)`). "
                "출력 `DbEndpoint`, `DbSecretName`. 배포가 도는 동안: 생성 시간(위 \"50분 실습 "
                "시간\" 표)이 Step 1의 20분보다 길어 실습 전 쉬는 시간에 (늦어도 실습을 "
                "시작하자마자) `cdk deploy`를 돌립니다 (대부분 Multi-AZ RDS). 기다리는 동안 콘솔 RDS → 데이터베이스에서 이 DB의 상태"
                "(생성 중 → 사용 가능), 구성 탭의 클래스 db.t3.micro와 다중 AZ, 연결 및 보안 탭의 "
                "서브넷 그룹(프라이빗 서브넷 2개)과 보안 그룹의 인바운드 규칙(5432, 소스는 "
                "클라이언트의 보안 그룹)을 Step 1의 콘솔 단계와 맞춰 봅니다. CloudFormation 콘솔의 "
                "이벤트 탭은 무엇을 기다리는지 보여 줌. Step 2의 psql은 배포가 끝난 뒤",
            ),
            (
                "Step 2: 데이터베이스 연결 — EC2에서 psql, 테이블 생성과 데이터 삽입",
                '`LabHost(self, "Client", user_data_lines=install_psql_client(...))`: '
                "`ClientSsmCommand`로 접속한 셸에서 `sudo /usr/local/bin/lab-psql`(출력 `PsqlCommand`)이 "
                "Secrets Manager에서 자격 증명을 읽어 TLS로 접속. 예: `CREATE TABLE students "
                "(id serial PRIMARY KEY, name text);` `INSERT INTO students (name) VALUES "
                "('kim');`",
            ),
            (
                "Step 2: 애플리케이션 연동 테스트",
                "`install_lab_app(...)`: 클라이언트의 작은 앱(`week5/assets/apps/rds_app.py`, "
                "Python 3.11 + psycopg)이 같은 비밀로 TLS 접속(서버 인증서를 RDS CA 번들로 "
                "확인, verify-full)해 `app_visits`에 한 행을 쓰고 최근 행을 읽어 TLS 버전과 "
                "함께 출력. 내 터미널에서 출력 `AppTestCommand`: `aws ssm start-session "
                "--target <클라이언트> --document-name AWS-StartInteractiveCommand --parameters "
                "\"command='sudo /usr/local/bin/lab-app'\"` (JSON 대신 작은따옴표 shorthand라 "
                "bash와 Windows PowerShell에서 같음). 세션 안에서는 출력 "
                "`AppCommand`(`sudo /usr/local/bin/lab-app`), 뒤에 `write 안녕` 또는 `read 10`",
            ),
            (
                "Step 3: 백업 & 복원 — 수동 스냅샷 생성",
                '출력 `SnapshotCommand`; `LeftoverCleanup(self, "SnapshotCleanup", '
                "databases=[...])`이 스택 삭제 때 수동 스냅샷도 삭제",
            ),
            (
                "선택: 백업 & 복원 — 스냅샷에서 새 DB로 복원 (Step 3의 5분 밖)",
                "5분 안에 끝나지 않고 (복원 5-15분, 삭제를 기다리는 데 약 5분) 50분 실습에 들지 "
                "않아 선택입니다 (시간이 남을 때나 멘토링 시간에). 출력 `RestoreDbCommand`: 스냅샷이 "
                "준비되길 기다려 새 DB `week5-<이름>-day3-restored`로 복원 (단일 AZ db.t3.micro, "
                "약 $0.03/시간, 실습의 서브넷 그룹과 보안 그룹, 과정 태그를 달아 `week5 status`와 "
                "`week5 cleanup`이 찾음). `RestoredDbEndpointCommand`가 준비되길 기다려 주소를 "
                "출력하면 `ClientSsmCommand` 세션에서 `sudo /usr/local/bin/lab-psql -h <주소>` "
                "(같은 사용자와 비밀번호): Step 2의 테이블과 행이 스냅샷 시점 그대로 "
                "(`SELECT * FROM students;`)",
            ),
            (
                "Step 4: 리소스 정리",
                "복원했다면 먼저 출력 `DeleteRestoredDbCommand` (삭제가 끝날 때까지 기다림: 복원한 "
                "DB가 실습의 서브넷 그룹과 보안 그룹을 쓰는 동안 `cdk destroy`는 그것을 지우지 "
                "못해 `DELETE_FAILED`). 수동 스냅샷은 `DeleteSnapshotCommand`로 바로 지우거나 "
                "`cdk destroy` 때 `SnapshotCleanup`이 지움",
            ),
        ),
        by_hand="수동 스냅샷에서 복원한 데이터베이스 (`RestoreDbCommand`로 만들었다면 "
        "`DeleteRestoredDbCommand`)",
    ),
    "Day3Lab2": LabGuide(
        course_steps=(
            ("Step 1: ElastiCache 클러스터", 15),
            ("Step 2: 캐싱 로직 구현", 25),
            ("Step 3: 세션 스토어", 5),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="ElastiCache Redis로 성능 최적화 (Cache-Aside)",
        steps=(
            (
                "Step 1: ElastiCache 클러스터 — Redis 클러스터 생성, 보안 그룹",
                '`RedisCache(self, "Cache")`: cache.t3.micro, TLS, AUTH 토큰은 Secrets '
                "Manager, 6379는 앱 호스트에서만. 출력 `RedisEndpoint`",
            ),
            (
                "Step 2: 캐싱 로직 구현 — Redis 연동, Cache-Aside",
                '`LabHost(self, "AppHost")` + `cache-demo.yml`: 데모 앱(`cache_demo.py`, S3 '
                "자산으로 배포)과 같은 호스트의 PostgreSQL 17 컨테이너(상품 20개, 리뷰 10만 개를 "
                "첫 연결 때 생성; 비밀번호는 Secrets Manager). 출력 `CacheAsideUrl`을 두 번 열면 "
                "`miss` 다음 `hit`. `ReadyUrl`은 PostgreSQL과 Redis 상태",
            ),
            (
                "Step 2: 성능 비교",
                "출력 `CompareUrl`(`/compare/1?n=20`, 브라우저) 또는 bash에서 `CompareCommand`(`for "
                'id in 1 2 3; do curl -s "http://<앱>/compare/$id?n=20"; echo; done`): 상품 페이지 '
                "쿼리(상품, 리뷰 수와 평균, 최근 리뷰)를 PostgreSQL에서 20번, 같은 페이지를 Redis에서 "
                "20번, 호스트에서 잰 평균(ms)과 배율. 고정 지연 없이 실제 쿼리입니다 — DB가 "
                "같은 호스트에 있어 네트워크 왕복이 없다는 점까지 해석해 보세요",
            ),
            (
                "Step 3: 세션 스토어 — 세션 데이터 Redis 저장",
                "데모 앱의 `/session` 경로 (출력 `SessionUrl`, 새로고침마다 visits 증가)",
            ),
        ),
        by_hand="손으로 만든 ElastiCache 백업",
    ),
    "Day3Case": LabGuide(
        goal="FinTech: WAF, API, Multi-AZ 트랜잭션 DB, 실시간 캐시, 거래 내역 아카이브",
        steps=(
            (
                "WAF: DDoS 방어와 SQL Injection 차단",
                '`regional_web_acl(self, "WebAcl", proxy=ProxyHeaders(...))`: AWS 관리형 규칙'
                "(공통, SQL Injection, 알려진 악성 입력) 뒤에 호출자마다 5분에 1,000건 제한. WAF는 "
                "ALB에 붙어 API Gateway의 주소를 보므로, API Gateway가 전달하는 요청마다 두 헤더를 "
                "덮어씁니다(파라미터 매핑): 호출자 주소 `x-week5-client-ip`"
                "(`$context.identity.sourceIp`)와 API Gateway만 보내는 토큰 `x-week5-origin`(배포된 "
                "스택 ID의 UUID, 소스에 없음). `RatePerForwardedIp`는 토큰이 있는 요청을 "
                "`x-week5-client-ip`의 주소별로, `RatePerIp`는 토큰이 없는 요청(`AlbUrl`로 직접)을 "
                "출발지 주소별로 셉니다: 한 호출자가 몰아쳐도 그 호출자만 403. API 전체가 나눠 "
                "쓰는 한도는 스테이지 스로틀(초당 50건, 버스트 100): 넘으면 누구에게나 429",
            ),
            (
                "ALB + API Gateway: HTTPS 종료와 라우팅",
                "`apigw.HttpApi` → WAF가 붙은 ALB (`HaWebTier`의 `alb`): 출력 `ApiGatewayUrl`. "
                "과정 계획의 그림은 `사용자 → WAF → ALB → API Gateway` 순서지만 ALB가 요청을 "
                "API Gateway로 넘기는 연결은 AWS에 없어서, 이 실습은 API Gateway를 앞에 두고 그 "
                "뒤의 ALB에 WAF를 붙입니다. "
                "HTTPS는 API Gateway에서 끝납니다(`ApiGatewayUrl`은 https). API Gateway → ALB "
                "구간은 HTTP(80)로 인터넷을 지나고(토큰 헤더도 평문), `AlbUrl`도 HTTP: ALB의 "
                "HTTPS 리스너에는 인증서가, 인증서에는 도메인이 필요한데 과정에는 도메인이 "
                "없습니다. 운영이라면 ALB에 ACM 인증서를 단 HTTPS(443) 리스너를 두고 API "
                "Gateway가 https로 부르거나, VPC 링크로 내부 ALB에 연결해 ALB를 인터넷에서 "
                "떼어 냅니다 (WAF는 그대로 ALB에)",
            ),
            (
                "EC2: Node.js API 서버",
                '`HaWebTier(self, "ApiServers", health_check_path="/health", '
                'ready_path="/ready")`, compose는 `fintech-api.yml`, 앱은 S3 자산'
                "(`server.js`, `package-lock.json`). 송금: 출력 `TransferExample` (Windows "
                "PowerShell은 `TransferExamplePowerShell`, Invoke-RestMethod; `ReadyCommand`와 "
                "`BalanceExample`도 `...PowerShell`, `curl.exe`)",
            ),
            (
                "RDS PostgreSQL (Multi-AZ), ElastiCache Redis",
                '`PostgresDatabase(..., multi_az=True)`, `RedisCache(self, "Cache")`: 잔액은 '
                "Redis 캐시(`BalanceExample`를 두 번: miss, hit), 송금은 두 계좌를 잠그는 "
                "트랜잭션",
            ),
            (
                "S3: 거래 내역 장기 보관 (Glacier)",
                '`private_bucket(self, "Archive")` + 수명 주기 규칙(30일 뒤 Glacier): 커밋된 송금마다 '
                "API가 `transfers/YYYY/MM/DD/<id>.json`을 씀 (쓰기 전용 권한). 응답의 "
                "`archive.key`, 목록은 출력 `ArchiveListCommand`. 기록 하나는 약 150바이트인데 "
                "S3의 기본값(2024년 9월부터 `all_storage_classes_128K`)은 128 KB 미만 객체를 옮기지 "
                "않으므로, `TransitionDefaultMinimumObjectSize`를 `varies_by_storage_class`로 두어 "
                "Glacier 전환이 실제로 일어납니다. 비용: Glacier는 객체마다 메타데이터 40 KB(8 KB는 "
                "S3 Standard 요금, 32 KB는 Glacier 요금)와 전환 요청 요금을 받으므로, 150바이트 "
                "기록은 Standard에 두는 것보다 비쌉니다(8 KB만 쳐도 기록의 약 55배). 과정은 전환을 "
                "보여 주려 켰고, 운영이라면 기록을 시간·일 단위로 묶어 큰 객체로 보관합니다",
            ),
            (
                "고가용성 & 장애 복구",
                "대상 그룹은 `/health`(프로세스가 답함, DB·Redis를 부르지 않음)만 확인하므로 "
                "Multi-AZ 장애 조치(60-120초)에도 인스턴스가 교체되지 않습니다. `/ready`는 "
                "PostgreSQL, Redis, 아카이브를 보고(`ReadyCommand`). 시험: "
                "`FailoverWatchCommand`(Windows PowerShell은 `FailoverWatchCommandPowerShell`)를 한 "
                "창에서 돌리고 다른 창에서 `DbFailoverCommand`: "
                "/health와 대상은 healthy, /ready는 잠시 `db: unavailable` 후 복구. AZ가 통째로 "
                "사라져 옛 기본 DB가 응답 없이 조용해지면, 그 연결의 쿼리는 10초"
                "(`statement_timeout`, `query_timeout`) 뒤 실패하고 연결은 버려져 새 기본 DB로 "
                "다시 연결합니다 (TCP가 포기하는 약 15분 동안 풀의 10개 연결이 묶이지 않음). S3는 "
                "프라이빗 서브넷의 라우팅 테이블에 붙은 게이트웨이 엔드포인트(`S3Endpoint`, 무료)로 "
                "가므로 NAT 인스턴스나 AZ-A가 멈춰도 아카이브 쓰기는 계속됩니다. 남는 단일 장애점: NAT는 비용 때문에 Public-A의 t4g.nano 인스턴스 한 대 "
                "(`NatMode.INSTANCE`): 그 인스턴스나 AZ-A가 멈추면 두 AZ 모두 새 인스턴스가 부팅 때 "
                "Docker, 컨테이너 이미지와 npm 패키지를 받지 못함. 운영이라면 "
                "`NatMode.GATEWAY_PER_AZ`",
            ),
        ),
        by_hand="거래 DB의 수동 스냅샷",
    ),
    "Day4Lab1": LabGuide(
        course_steps=(
            ("Step 1: Launch Template", 10),
            ("Step 2: ALB 생성", 15),
            ("Step 3: Auto Scaling Group", 20),
            ("Step 4: 리소스 정리", 5),
        ),
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
                "`HaWebTier(min_capacity=2, max_capacity=4, detailed_monitoring=True)`: CPU 50% "
                "목표 추적, 인스턴스 지표는 1분 간격 (5분 간격이면 10분 부하 테스트가 끝날 무렵에야 "
                "확장될 수 있음). 생성 정책: "
                "첫 두 인스턴스가 각자 페이지를 응답한 뒤 `cfn-signal`을 보내므로, `cdk deploy`가 "
                "끝나면 `AlbUrl`이 바로 응답 (`boot_time` 3분, 대기 최대 10분)",
            ),
            (
                "Step 4: 리소스 정리",
                "`cdk destroy`: ALB, 대상 그룹, Auto Scaling 그룹과 그 인스턴스, 시작 템플릿까지 삭제",
            ),
        ),
        by_hand="스케일링 테스트용 부하 생성 인스턴스",
    ),
    "Day4Challenge": LabGuide(
        course_steps=(
            ("Step 1: 아키텍처 설계", 10),
            ("Step 2: 인프라 구축", 30),
            ("Step 3: 장애 테스트", 5),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="완전한 HA 아키텍처: 웹, 앱, DB 티어를 두 AZ에",
        steps=(
            ("Multi-AZ 인프라", "`MultiAzVpc(nat=NatMode.GATEWAY_PER_AZ)`: AZ마다 NAT 게이트웨이"),
            ("Web Tier: ALB + ASG", '`HaWebTier(self, "Web")` (인터넷 ALB)'),
            (
                "App Tier: Internal ALB + ASG",
                '`HaWebTier(self, "App", internet_facing=False)`, 웹 티어에서만 '
                "(`app.grant_connect(web)`), 앱은 `week5/assets/apps/tier_app.py`. ALB 헬스 "
                "체크는 `/api/health` (프로세스만 확인하는 liveness, DB와 무관), 부팅 후 신호는 "
                "`/api/ready` (DB 포트 응답)가 200일 때 (`ready_path`)",
            ),
            ("DB Tier: Multi-AZ RDS", '`PostgresDatabase(self, "Database", multi_az=True)`'),
            (
                "Step 3: 장애 테스트 — DB 장애 조치",
                "`DbFailoverCommand` 실행 중 `ApiUrl`을 새로고침: 장애 조치(1-2분) 동안 응답의 "
                "`database.reachable`이 false였다가 true로 돌아옴 (`ApiUrl` 뒤에 `ready`를 붙인 "
                "`/api/ready`는 그동안 503). `/api/health`는 DB와 무관하게 200이라 앱 인스턴스는 "
                "교체되지 않음 (대상 그룹의 Healthy 수 유지). `DbAzCommand`를 장애 조치 전후에 "
                "실행하면 첫 칸(기본 AZ)과 둘째 칸(대기 AZ)이 서로 바뀜",
            ),
            (
                "Step 3: 장애 테스트 — 웹 인스턴스 종료",
                "`KillWebInstanceCommand`: 웹 티어 그룹의 첫 인스턴스를 원하는 용량은 그대로 두고 "
                "종료 (`--no-should-decrement-desired-capacity`). `AlbUrl`을 새로고침하면 남은 "
                "인스턴스가 응답하고, ALB가 종료된 대상을 빼며 ASG가 새 인스턴스를 띄움 (대상 "
                "그룹의 Healthy 수가 1로 줄었다가 몇 분 뒤 2로)",
            ),
        ),
        by_hand="장애 테스트 전에 만든 DB 수동 스냅샷",
    ),
    "Day4Case": LabGuide(
        goal="뉴스 포털: 읽기 중심 워크로드, 트래픽 급증 대응, 글로벌 CDN",
        steps=(
            (
                "CloudFront + S3: 정적 콘텐츠와 미디어",
                '`StaticSite(self, "Site", behaviors={"/news/content/images/*": 미디어 버킷 → '
                '뉴스 서버, "/news/*": ALB, "/media/*": 미디어 버킷})`',
            ),
            (
                "ALB + ASG: 뉴스 서버 — 상태 공유 방식: 작성자 1대 + 캐시된 읽기 경로",
                "Ghost는 사이트당 프로세스 1개만 지원하므로 (라우트와 설정이 프로세스 메모리에 "
                '있음) Ghost는 `DockerHost(self, "Writer", compose_file=ghost.yml)` 1대에서만 '
                '실행. `HaWebTier(self, "News", cloudfront_origin=True)` 2-4대는 '
                "`week5/assets/apps/news_cache.py`로 모두 같은 Redis 캐시에서 페이지를 내주고, "
                "없거나 오래된 페이지는 Ghost에서, 쓰기(관리자 `<NewsUrl>ghost/`)는 Ghost로 전달. "
                "ALB는 CloudFront의 오리진 접속용 관리형 프리픽스 목록에서만 받고, 헬스 체크는 "
                "`/healthz` (뉴스 서버 자체, Ghost·Redis와 무관). NAT는 Public-A의 t4g.nano "
                "인스턴스 한 대 (`NatMode.INSTANCE`, 비용): 그것이 멈추면 새 뉴스 서버가 부팅 때 "
                "이미지를 받지 못함",
            ),
            (
                "ASG: 트래픽 급증 시 자동 확장 (속보)",
                "`HaWebTier(scaling_metric=ScalingMetric.REQUESTS_PER_TARGET, scaling_target=1000)`: "
                "대상당 분당 요청 1,000건 목표 추적. 출력 `LoadTestCommand`는 뉴스 서버 2대가 "
                "CloudFront를 거쳐 `PopularUrl`에 각각 초당 25건씩 10분 동안 요청 (ALB에 분당 "
                "3,000건, 대상당 1,500건): 3-4분 뒤 `WatchScalingCommand`에 새 뉴스 서버 시작이 "
                "보임 (부팅 최대 6분). `PopularUrl`은 `no-store`라 매번 ALB까지 가지만, 기사"
                "(`/news/*`)는 CloudFront가 60초 동안 엣지에서 답하므로 한 기사에 몰린 속보 읽기는 "
                "대부분 ALB에 닿지 않고 확장도 일어나지 않음: CDN이 급증을 먼저 흡수",
            ),
            (
                "ElastiCache: 인기 기사 캐싱",
                '`RedisCache(self, "Cache")`: 뉴스 서버의 공유 캐시 (`REDIS_HOST`, '
                "`REDIS_AUTH_TOKEN`이 컨테이너로 전달), 많이 읽힌 기사는 `PopularUrl`",
            ),
            (
                "RDS Read Replica: 읽기 부하 분산",
                '`MysqlDatabase(self, "Database", read_replicas=1)`: 주 DB는 AZ-A, 복제본은 '
                "AZ-B. Ghost는 주 DB 하나만 "
                "받으므로 복제본은 보고서용. `WriterSessionCommand`로 작성자 호스트에 접속해 "
                "출력 `ReplicaReportCommand`를 실행 (`sudo env DB_REPLICA_HOST=<복제본 엔드포인트> "
                "docker compose -f /opt/week5/app/docker-compose.yml run --rm replica-report`): "
                "`DB_REPLICA_HOST`로 복제본만 읽음",
            ),
            (
                "S3: 미디어 파일",
                "Ghost에 올린 이미지는 작성자 호스트의 타이머가 1분마다 미디어 버킷 "
                "`news/content/images/`로 복사하고 CloudFront가 버킷에서 제공 (아직 없으면 뉴스 "
                "서버로). 동영상 등은 `MediaUploadCommand`로 올려 `<SiteUrl>/media/...`",
            ),
        ),
        by_hand="Ghost DB나 복제본의 수동 스냅샷",
    ),
    "Day5Lab1": LabGuide(
        course_steps=(
            ("Step 1: 네트워크 구성", 10),
            ("Step 2: 데이터베이스 배포", 15),
            ("Step 3: 애플리케이션 배포", 20),
            ("Step 4: 검증", 5),
        ),
        goal="CloudMart 전체 인프라 AWS 배포",
        steps=(
            (
                "Step 1: 네트워크 구성 — Multi-AZ VPC, Public/Private Subnets",
                "`CloudMartStack` → `MultiAzVpc`. 배포가 도는 동안: `cdk deploy` 한 번이 Step "
                "1-3을 모두 만들고 생성 시간(위 \"50분 실습 시간\" 표)이 Step 1의 10분보다 "
                "길어, 실습을 시작하자마자 배포하고 기다리는 동안 각 단계가 만드는 것을 콘솔에서 "
                "차례로 확인합니다: Step 1 VPC → 서브넷 4개(퍼블릭과 프라이빗, 두 AZ)와 라우팅 "
                "테이블 (처음 몇 분 안에 생김), Step 2 RDS(다중 AZ)와 ElastiCache가 생성 중, Step 3 "
                "S3 버킷, CloudFront 배포, ALB와 대상 그룹, Auto Scaling 그룹의 인스턴스. "
                "CloudFormation 콘솔의 이벤트 탭은 무엇을 기다리는지 보여 줌. Step 4 검증은 배포가 "
                "끝난 뒤",
            ),
            (
                "Step 2: 데이터베이스 배포 — RDS PostgreSQL (Multi-AZ), ElastiCache Redis",
                "`CloudMartStack(db_multi_az=True)` → `PostgresDatabase`, `RedisCache`",
            ),
            (
                "Step 3: 애플리케이션 배포 — Frontend: S3 + CloudFront, Backend: EC2 + ALB + ASG",
                "`CloudMartStack` → `StaticSite` (`/api/*`는 ALB로), "
                "`HaWebTier(cloudfront_origin=True)`: 백엔드 ALB는 CloudFront에서만 받으므로 앱 "
                "주소는 `CloudMartUrl`뿐; 내 이미지는 `-c cloudmart_backend_image=...`",
            ),
            (
                "Step 4: 검증",
                "출력 `CloudMartUrl`, `ApiHealthUrl` (두 저장소를 각각 보고, 실패하면 503과 그 "
                "저장소). ALB 헬스 체크는 `/api/health` (저장소와 무관)라 DB 장애 조치 중에도 "
                "인스턴스가 교체되지 않음. `cdk deploy`는 각 백엔드가 `/api/health/deep`에 응답한 "
                "뒤 끝남. 컨테이너 로그는 `BackendLogGroup` (CloudWatch Logs)",
            ),
        ),
        by_hand="내 백엔드 이미지(`cloudmart_backend_image`)용 ECR 리포지토리",
    ),
    "Day5Challenge": LabGuide(
        course_steps=(
            ("Step 1: 아키텍처 설계", 10),
            ("Step 2: 인프라 구축", 30),
            ("Step 3: 검증 & 최적화", 5),
            ("Step 4: 리소스 정리", 5),
        ),
        goal="프로덕션급 CloudMart: 고가용성, 자동 확장, 모니터링, 백업, 비용 ($0.80 이하)",
        steps=(
            ("1. 고가용성 (Multi-AZ)", "`CloudMartStack` 설정: Multi-AZ RDS, Redis 복제본 1개"),
            ("2. 자동 확장 (ASG)", "`HaWebTier` 2-4대, 목표 추적"),
            (
                "3. 모니터링 (CloudWatch)",
                "알람 → SNS (`-c alarm_email=...`; 없으면 구독자가 없다는 것을 출력 "
                "`AlarmNotifications`가 알려줌), 대시보드. Redis 메모리 알람은 모든 노드의 최댓값"
                "이라 장애 조치 후 `-002`가 프라이머리여도 감시. 백엔드 컨테이너 로그는 스택이 "
                "만들고 지우는 로그 그룹 (`BackendLogGroup`)",
            ),
            (
                "4. 백업 & 복구 전략",
                "RDS 자동 백업 7일 (`db_backup_retention_days=7`)과 시점 복원: 출력 "
                "`RestorePointCommand`가 지금 복원할 수 있는 가장 늦은 시각을 보여 줌. 복원은 새 "
                "DB 인스턴스를 만들므로 (`aws rds restore-db-instance-to-point-in-time "
                "--use-latest-restorable-time`, 요금이 따로 붙고 스택 밖이라 손으로 삭제) 이 "
                "실습에서는 시각 확인까지. Valkey는 하루치 일일 스냅샷. `cdk destroy`는 자동 "
                "백업과 스냅샷도 지움",
            ),
            (
                "5. 비용 최적화",
                "Graviton (t4g, db.t4g, cache.t4g), Valkey. 평소 시간당 $0.302 (`week5 cost "
                "Day5Challenge`: NAT 게이트웨이 2개, ALB와 LCU 1, 공인 IPv4 4개, 백엔드 2대와 볼륨, "
                "Multi-AZ PostgreSQL과 저장소, Valkey 노드 2개, 비밀 2개, 알람 7개, CloudFront 시간당 "
                "0.1 GB 가정; 대시보드 제외), 4대로 늘어도 $0.325로 $0.80 이하",
            ),
            (
                "Step 3: 검증 — 고가용성 테스트",
                "한 창에서 `FailoverWatchCommand` (5초마다 `ApiHealthUrl`과 백엔드 대상 상태; "
                "Windows PowerShell은 `FailoverWatchCommandPowerShell`), 다른 "
                "창에서 차례로 `DbFailoverCommand` (1-2분 동안 `db` 오류와 503, 그 뒤 200), "
                "`CacheFailoverCommand` (Valkey 복제본이 프라이머리가 되는 동안 `redis` 오류가 "
                "잠깐), `KillBackendInstanceCommand` (대상 하나가 draining, 새 인스턴스가 initial → "
                "healthy, 그동안 `CloudMartUrl`은 계속 응답)",
            ),
        ),
        by_hand="ECR 리포지토리 (과정 태그 없이 만들었다면 아래 `get-resources`에 나오지 "
        "않습니다: `aws ecr describe-repositories --query 'repositories[].repositoryName'`로 "
        "확인), 백업 단계에서 만든 DB 수동 스냅샷",
    ),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/docs", description="write docs/labs/ from the templates", allow_abbrev=False
    )
    parser.add_argument(
        "--out",
        default=str(PROJECT_ROOT / "docs" / "labs"),
        help="the folder to write into (default: docs/labs); its parent must exist",
    )
    parser.add_argument("--no-pictures", action="store_true", help="text and guides only")
    args = parser.parse_args(argv)
    # scripts/docs runs this from the project root; a relative --out is from where it was run.
    called_from = os.environ.get(CALLED_FROM) or None
    # Before synthesis (seconds): an empty --out, a file, a missing parent, the project's own
    # folder is one line, exit 2.
    try:
        out = out_folder(args.out, base=Path(called_from) if called_from else None)
    except OutFolderError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    from stacks.catalog import CATALOG
    from week5.synth.app_builder import synthesize_templates

    templates = synthesize_templates(CATALOG, PROJECT_ROOT / "cdk.json")
    try:
        written = write_guides(CATALOG, GUIDES, templates, out, pictures=not args.no_pictures)
    except OSError as error:  # what the check cannot foresee: a full disk, /proc as root
        where = error.filename or out
        print(f"{parser.prog}: --out {shown(args.out, 160)}: could not write {where} "
              f"({error.strerror or error})", file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
