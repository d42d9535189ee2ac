// The README's SDK example, kept here so the type checker compiles it (sdk/generate.test.ts compares the two).
import { createVouchClient } from './client.ts';

const vouch = createVouchClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.VOUCH_KEY ?? '' });

const { data: program, error } = await vouch.POST('/v1/programs', {
  body: {
    name: 'Give $10, get $10',
    landing_url: 'https://shop.example.com/welcome',
    rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 1000, currency: 'USD' } },
  },
});
if (error) throw new Error(`${error.error.code}: ${error.error.message}`); // e.g. missing_field: landing_url is required.

await vouch.POST('/v1/events', {
  body: {
    type: 'signup',
    external_id: 'user_42',
    program_id: program.id,
    customer: { external_id: 'user_42' },
    referral: { code: 'K7MWQ3ZP' },
  },
});
const { data: rewards } = await vouch.GET('/v1/rewards', { params: { query: { referral_id: 'ref_01...' } } });
for (const reward of rewards?.data ?? [])
  console.log(reward.side, reward.amount, reward.currency, reward.status);
