"""Day 2 case - E-Commerce (PrestaShop): the ShopUrl answers 200 through the ALB (PrestaShop's
installer, pre-set for RDS), the shop's Auto Scaling group reaches its size with healthy
targets, and CloudFront + S3 serve the static files."""

from promises import SLOW_APP_WAIT, LabPromise, title_of
from stacks.day2 import SAMPLE_SITE

lab = LabPromise("Day2Case")
lab.page("ShopAnswers", lab.output("ShopUrl"), head=True, wait=SLOW_APP_WAIT)
lab.group_at_size("ShopGroupAtSize", lab.stack.shop, wait=SLOW_APP_WAIT)
lab.page("StaticFilesServed", lab.output("StaticUrl"), shows=title_of(SAMPLE_SITE / "index.html"))
lab.synth()
