/**
 * `drover secrets set NAME [REPO]` (value from stdin) and `drover secrets edit NAME [REPO]` ($EDITOR
 * on a temp file in tmpfs /dev/shm, mode 0600, removed afterwards): keep secrets/<name>.age,
 * encrypted to the recipients of secrets/recipients.txt. A plain value never lands on a disk.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import { RECIPIENTS_FILE, decryptRepositorySecrets, encryptSecret, listRepositorySecrets } from '../../../manifests/index.js';
import { addAgeIdentityOption, readAgeIdentity } from '../age-identity.js';
import { resolveRepo } from '../context.js';
import { type CliIo, eprintln, println } from '../io.js';

/** tmpfs: a file there lives in memory only. */
const TMPFS_MAGIC = 0x01021994;
const EDIT_DIR = '/dev/shm';

/** Adds `drover secrets set|edit`. */
export function registerSecrets(program: Command, io: CliIo): void {
  const secrets = program.command('secrets').description(`age-encrypted secrets in the repository (secrets/<name>.age, recipients in ${RECIPIENTS_FILE})`);
  secrets.command('set')
    .description('encrypt the value read from stdin (one line) into secrets/<name>.age')
    .argument('<name>', "secret name, as in secret('name') and { kind: secret, name: ... }")
    .argument('[repo]', 'manifest repository directory', '.')
    .action(async (name: string, repo: string) => {
      const root = await resolveRepo(io, repo, 'secrets set');
      if (io.stdin?.isTTY) eprintln(io, 'Type the value, then press Enter and Ctrl-D (or pipe it: drover secrets set NAME < file):');
      const value = oneLine(await readAll(io.stdin), 'stdin');
      println(io, `wrote ${await encryptSecret({ root, name, value })}; commit it (the value itself is stored nowhere else)`);
    });
  addAgeIdentityOption(secrets.command('edit')
    .description('edit secrets/<name>.age in $EDITOR (temp file in tmpfs /dev/shm, removed afterwards)')
    .argument('<name>', 'secret name')
    .argument('[repo]', 'manifest repository directory', '.'))
    .action(async (name: string, repo: string, opts: { ageIdentity?: string }) => {
      const root = await resolveRepo(io, repo, 'secrets edit');
      const current = await currentValue(io, { root, name, flag: opts.ageIdentity });
      const edited = await editInMemory(io, current ?? '');
      if (edited === undefined || edited === current) {
        println(io, `secrets/${name}.age unchanged`);
        return;
      }
      println(io, `wrote ${await encryptSecret({ root, name, value: oneLine(edited, '$EDITOR') })}; commit it`);
    });
  for (const cmd of secrets.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  secrets.exitOverride().configureOutput(program.configureOutput());
}

async function currentValue(io: CliIo, options: { root: string; name: string; flag: string | undefined }): Promise<string | undefined> {
  if (!(await listRepositorySecrets(options.root)).includes(options.name)) return undefined;
  const identity = await readAgeIdentity(io, options.flag);
  const values = await decryptRepositorySecrets({ root: options.root, identities: identity?.identities, origin: identity?.origin ?? 'none' });
  return values.get(options.name)?.reveal();
}

/** Runs $VISUAL / $EDITOR (default vi) on a 0600 file in a private dir in /dev/shm; the dir is removed whatever happens. */
async function editInMemory(io: CliIo, value: string): Promise<string | undefined> {
  const fs = await statfs(EDIT_DIR).catch(() => undefined);
  if (fs?.type !== TMPFS_MAGIC) {
    throw new DroverError('E_SECRET_EDIT', `${EDIT_DIR} is not a tmpfs here, and a secret must not be written to a disk; use "drover secrets set NAME" with the value on stdin instead`);
  }
  const dir = await mkdtemp(join(EDIT_DIR, 'drover-secret-'));
  try {
    const file = join(dir, 'value');
    await writeFile(file, value === '' ? '' : `${value}\n`, { mode: 0o600 });
    const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: io.env as NodeJS.ProcessEnv });
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new DroverError('E_SECRET_EDIT', `the editor (${editor}) exited with ${String(code)}; nothing was written`);
    return await readFile(file, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The value without its final newline; refuses empty and multi-line values. */
function oneLine(text: string, from: string): string {
  const value = text.endsWith('\n') ? text.slice(0, -1).replace(/\r$/, '') : text;
  if (value === '' || /[\r\n]/.test(value)) {
    throw new DroverError('E_SECRET_INVALID', `the value from ${from} is ${value === '' ? 'empty' : 'several lines'}: a secret is one non-empty line (drover substitutes the first line of its file on the host); nothing was written`);
  }
  return value;
}

async function readAll(stream: CliIo['stdin']): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
