#!/usr/bin/env node
// A stand-in for nvidia-smi on machines without a GPU (demos, tests). It prints a REAL captured
// output from shared/fixtures/telemetry, chosen by FAKE_NVIDIA_SMI_XML (a file path). It answers
// only the queries the agent makes, and fails like the real tool on anything else.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2).join(' ');
const xmlPath = process.env.FAKE_NVIDIA_SMI_XML;

if (args === '-q -x') {
  if (!xmlPath) {
    process.stderr.write('fake-nvidia-smi: set FAKE_NVIDIA_SMI_XML to a captured `nvidia-smi -q -x` file\n');
    process.exit(9);
  }
  process.stdout.write(readFileSync(xmlPath, 'utf8'));
} else {
  process.stderr.write(`fake-nvidia-smi: unsupported arguments: ${args}\n`);
  process.exit(2);
}
