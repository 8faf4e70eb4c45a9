// Drives `sbx mcp` with the official MCP TypeScript SDK client (a client nobody here wrote):
//   node client.mjs SDK_DIR SBX_BINARY
// Connects over stdio, lists the tools, calls run_code (python, bash) and run_command, and checks
// every structuredContent against the tool's declared outputSchema with Ajv (the validator the
// SDK itself depends on). Prints one JSON summary line; exits 1 with the reasons on failure.
import path from 'node:path';
import { createRequire } from 'node:module';

const [sdkDir, sbx] = process.argv.slice(2);
const modules = path.join(sdkDir, 'node_modules');
const { Client } = await import(path.join(modules, '@modelcontextprotocol/sdk/dist/esm/client/index.js'));
const { StdioClientTransport } = await import(path.join(modules, '@modelcontextprotocol/sdk/dist/esm/client/stdio.js'));
const require = createRequire(path.join(modules, 'noop.js'));
const Ajv = require('ajv');

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

const transport = new StdioClientTransport({
  command: sbx,
  args: ['mcp', '--timeout', '20s', '--output-limit', '64k'],
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: process.env.HOME ?? '/tmp' },
  stderr: 'inherit',
});
const client = new Client({ name: 'sbx-e2e-sdk-client', version: '1.0.0' });
await client.connect(transport);

const server = client.getServerVersion();
check(server?.name === 'sbx', `serverInfo.name is ${server?.name}`);
check(client.getServerCapabilities()?.tools !== undefined, 'server capabilities lack tools');

const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const ajv = new Ajv({ strict: false });
const validators = {};
for (const name of ['run_code', 'run_command']) {
  const tool = byName[name];
  check(tool !== undefined, `tools/list lacks ${name}`);
  if (!tool) continue;
  check(tool.inputSchema?.type === 'object', `${name}: inputSchema is not an object schema`);
  check(tool.outputSchema?.type === 'object', `${name}: no outputSchema`);
  if (tool.outputSchema) validators[name] = ajv.compile(tool.outputSchema);
}

const results = {};
async function call(label, name, args, expect) {
  const result = await client.callTool({ name, arguments: args });
  results[label] = result.structuredContent;
  check(result.isError !== true, `${label}: isError for a program that ran: ${JSON.stringify(result.content)}`);
  const text = (result.content ?? []).find((c) => c.type === 'text');
  check(text !== undefined && text.text.length > 0, `${label}: no readable text block`);
  const validate = validators[name];
  if (validate && !validate(result.structuredContent)) {
    failures.push(`${label}: structuredContent does not match the outputSchema: ${ajv.errorsText(validate.errors)}`);
  }
  for (const [key, want] of Object.entries(expect)) {
    const got = result.structuredContent?.[key];
    check(got === want, `${label}: ${key} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
}

await call('python', 'run_code', { language: 'python', code: 'import sys\nprint(6 * 7)\nsys.exit(0)' },
           { status: 'exited', exit_code: 0, stdout: '42\n' });
await call('bash', 'run_code', { language: 'bash', code: 'echo "from $0" >&2; echo hi; exit 3' },
           { status: 'exited', exit_code: 3, stdout: 'hi\n' });
await call('command', 'run_command', { argv: ['cat'], stdin: 'piped' },
           { status: 'exited', exit_code: 0, stdout: 'piped' });
await call('timeout', 'run_code', { language: 'bash', code: 'sleep 30', timeout: 0.5 },
           { status: 'timeout', timed_out: true });

// A tool sbx does not have is a protocol error the SDK surfaces as an exception or isError.
let unknownRefused = false;
try {
  const r = await client.callTool({ name: 'no_such_tool', arguments: {} });
  unknownRefused = r.isError === true;
} catch {
  unknownRefused = true;
}
check(unknownRefused, 'an unknown tool was not refused');

await client.close();
console.log(JSON.stringify({ server, tools: Object.keys(byName), results, failures }));
process.exit(failures.length === 0 ? 0 : 1);
