"""Day 4 Lab 1 - ALB + ASG 구성: the AlbUrl answers with the nginx page that names its instance,
both AZs answer across requests ("reload to see the balancing"), and the Auto Scaling group
reaches its size (min 2) with every instance healthy behind the ALB."""

from promises import LabPromise

lab = LabPromise("Day4Lab1")
alb_url = lab.output("AlbUrl")
lab.page("AlbUrlAnswers", alb_url, shows="Hello from i-")
lab.azs_answer("AlbUrlServedFrom", alb_url, before="<b>", after="</b>")
lab.group_at_size("GroupAtSize", lab.stack.web)
lab.synth()
