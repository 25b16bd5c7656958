// An unmodified AWS SDK for JavaScript v3 program: STS GetCallerIdentity and EC2
// DescribeInstances with the clients' defaults (region, credentials and endpoints from the
// shared config files and the environment), one JSON line with what came back.
const path = require("path");
const modules = path.join(process.env.NODE_SDK, "node_modules");
const sts = require(path.join(modules, "@aws-sdk/client-sts"));
const ec2 = require(path.join(modules, "@aws-sdk/client-ec2"));

async function call(client, command, pick) {
  try {
    const answer = await client.send(command);
    return { ...pick(answer), attempts: answer.$metadata.attempts };
  } catch (error) {
    return { error: error.name, status: error.$metadata?.httpStatusCode,
             attempts: error.$metadata?.attempts, message: String(error.message).slice(0, 200) };
  }
}

(async () => {
  const out = {
    sts: await call(new sts.STSClient({}), new sts.GetCallerIdentityCommand({}),
                    (a) => ({ account: a.Account })),
    ec2: await call(new ec2.EC2Client({}), new ec2.DescribeInstancesCommand({}),
                    (a) => ({ reservations: a.Reservations.length })),
  };
  console.log(JSON.stringify(out));
})();
