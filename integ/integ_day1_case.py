"""Day 1 case - 블로그 플랫폼: WordPress in the public subnet answers 200 at the SiteUrl (its
installer, which PHP serves only once MySQL on the private host answers), and both hosts are
reachable with Session Manager (the MySQL host through the NAT instance)."""

from promises import LabPromise

lab = LabPromise("Day1Case")
lab.page("SiteUrlAnswers", lab.output("SiteUrl"), head=True)
lab.online("WordpressHostOnline", lab.physical_id(lab.stack.web_host.instance, "WordpressHost"))
lab.online("MysqlHostOnlineThroughNat", lab.physical_id(lab.stack.db_host.instance, "MysqlHost"))
lab.synth()
