"""The floor for `cdk synth`: a minimal app through the same CLI, Python and Node.

The CLI refuses an app with no stacks, so the floor holds one stack with one resource that
costs nothing (a wait-condition handle). No cdk-nag, no constructs of the course.
"""

import aws_cdk as cdk

app = cdk.App()
stack = cdk.Stack(app, "Floor", env=cdk.Environment(region="ap-northeast-2"))
cdk.CfnWaitConditionHandle(stack, "Nothing")
app.synth()
