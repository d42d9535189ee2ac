import { Command } from 'commander';
import { SCOPE_DESCRIPTIONS, SCOPES } from '../domain/api-key-scopes.ts';
import { backupCommand, restoreCommand } from './commands/backup.ts';
import { exportCommand } from './commands/export.ts';
import { collect, createKey, listKeys, revokeKey } from './commands/keys.ts';
import { verifyLedgerCommand } from './commands/ledger.ts';
import { migrate } from './commands/migrate.ts';
import { approveDueCommand } from './commands/rewards.ts';
import { newKeyCommand, pruneCommand, rotateCommand } from './commands/secrets.ts';
import { seedDemoCommand } from './commands/seed-demo.ts';
import { serve } from './commands/serve.ts';
import { worker } from './commands/worker.ts';

const program = new Command()
  .name('vouch')
  .description(
    'Self-hostable referral and partner-program engine.\nConfigured by environment: see README.md.',
  );

program
  .command('serve')
  .description(
    'run migrations, then serve the HTTP API and referral links, approve matured rewards and (unless VOUCH_WEBHOOK_WORKER=off) deliver webhooks',
  )
  .action(serve);
program
  .command('worker')
  .description('deliver webhooks and approve matured rewards, without serving HTTP')
  .action(worker);
program.command('migrate').description('bring the database schema up to date').action(migrate);
program
  .command('backup')
  .description(
    'SQLite: copy the database, consistently even while serve writes, to FILE (checked, then moved into place)',
  )
  .argument('<file>', 'where the copy goes; never replaced unless --force')
  .option('--force', 'replace FILE if it exists')
  .action(backupCommand);
program
  .command('restore')
  .description(
    'SQLite: replace the database with a checked backup, when no process uses it; keeps the old one as *.before-restore',
  )
  .argument('<file>', 'a file made by vouch backup')
  .action(restoreCommand);

const keys = program.command('keys').description('manage API keys');
keys
  .command('create')
  .description(
    'create a key and print it once: a secret key (admin unless --scope is given) or a publishable one',
  )
  .argument('[name]', 'a label for the key (or --name)')
  .option('--name <name>', 'a label for the key', 'cli')
  .option(
    '--scope <scope>',
    `what the key may do, repeatable: ${SCOPES.map((scope) => `${scope} (${SCOPE_DESCRIPTIONS[scope]})`).join('; ')}`,
    collect,
    [],
  )
  .option(
    '--publishable',
    'a pk_ key for browser code: it calls only routes marked publishable, and takes no --scope',
  )
  .action(createKey);
keys
  .command('list')
  .description('list keys with their kind and scopes (never their secrets)')
  .action(listKeys);
keys.command('revoke').description('revoke a key by id').argument('<id>', 'key id (key_…)').action(revokeKey);

const secrets = program
  .command('secrets')
  .description('the keys that seal stored secrets (webhook signing secrets, the instance secret)');
secrets
  .command('new-key')
  .description('print a new key for VOUCH_ENCRYPTION_KEYS (kept nowhere else)')
  .action(newKeyCommand);
secrets
  .command('rotate')
  .description("SQLite's key file: add a new key first and reseal every stored secret under it")
  .action(rotateCommand);
secrets
  .command('prune')
  .description(
    'reseal every stored secret under the newest key, then drop the keys that seal nothing from the key file (or name them)',
  )
  .action(pruneCommand);

const ledger = program.command('ledger').description('inspect the rewards ledger');
ledger
  .command('verify')
  .description('check every ledger invariant; exits 1 and lists what is broken')
  .action(verifyLedgerCommand);

const rewards = program.command('rewards').description('manage rewards');
rewards
  .command('approve-due')
  .description('approve every pending reward whose hold has ended (serve does this every minute)')
  .action(approveDueCommand);

program
  .command('export')
  .description('export a table for a data warehouse, resuming from the cursor kept beside it')
  .argument('<table>', 'participants, clicks, events, referrals, rewards, ledger_entries or webhook_events')
  .requiredOption(
    '--out <path>',
    'ndjson/csv: the file to append to, cursor in <file>.cursor; parquet: a directory that gets one part-NNNNN.parquet per run, cursor in <dir>/.cursor',
  )
  .option(
    '--since <cursor|time>',
    'start after this id, or at this RFC 3339 time (default: the saved cursor, else the start)',
  )
  .option('--format <format>', 'ndjson, csv or parquet', 'ndjson')
  .option('--no-progress', 'no progress bar')
  .action(exportCommand);

program
  .command('seed-demo')
  .description('create a demo program with referrers, clicks, sign-ups and purchases')
  .option('--participants <n>', 'number of referrers', '300')
  .option('--seed <n>', 'random seed, for a repeatable demo', '1')
  .action(seedDemoCommand);

await program.parseAsync(process.argv);
