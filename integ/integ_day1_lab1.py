"""Day 1 Lab 1 - VPC & EC2 기본 구성: the instance is reachable with Session Manager (the
SsmCommand output), Docker is installed and runs WordPress (step 4, "docker --version"), and the
SiteUrl answers 200: WordPress's installer, which PHP serves only once MySQL answers."""

from promises import LabPromise

lab = LabPromise("Day1Lab1")
instance = lab.output("InstanceId")
lab.runs("DockerRunsWordpress", instance, "docker --version && docker ps | grep -q wordpress")
lab.page("SiteUrlAnswers", lab.output("SiteUrl"), head=True)
lab.synth()
