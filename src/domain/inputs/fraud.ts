import Type, { type TProperties } from 'typebox';

// No `default` keywords: with defaults applied by the validator, a PATCH that names one field of a
// rule would reset the others. Defaults live in the domain (DEFAULT_FRAUD_SETTINGS).

const Enabled = Type.Boolean({ description: 'Off: the rule never fires.' });
const Score = Type.Integer({
  minimum: 0,
  maximum: 1000,
  description: "Added to the referral's fraud score when the rule fires.",
});
const WindowHours = Type.Integer({ minimum: 1, maximum: 8760, description: 'Hours looked back.' });
const Count = (description: string) => Type.Integer({ minimum: 1, maximum: 100_000, description });
const Threshold = (description: string) => Type.Integer({ minimum: 1, maximum: 1000, description });

const ReviewScore = Threshold('From this total score a referral is held for review. Default 50.');
const BlockScore = Threshold(
  'From this total score a referral is blocked; at least review_score. Default 100.',
);

/** A rule's settings: `input` for bodies (every field optional), `output` for responses. */
function rule<P extends TProperties>(description: string, properties: P) {
  const fields = { enabled: Enabled, score: Score, ...properties };
  return {
    input: Type.Partial(Type.Object(fields), { additionalProperties: false, description }),
    output: Type.Object(fields, { description }),
  };
}

const Rules = {
  self_referral_device: rule('The referee signs up from a device the referrer used. Default score 100.', {}),
  self_referral_ip: rule(
    'The referrer was seen on the same IP address and browser within the window. Default score 60, 24 h.',
    { window_hours: WindowHours },
  ),
  bulk_ip: rule('More than max_signups earlier referrals from one IP address. Default score 50, 24 h, 3.', {
    window_hours: WindowHours,
    max_signups: Count('Earlier referrals from the address allowed in the window.'),
  }),
  bulk_subnet: rule('More than max_signups earlier referrals from one subnet. Default score 30, 24 h, 10.', {
    window_hours: WindowHours,
    max_signups: Count('Earlier referrals from the subnet allowed in the window.'),
  }),
  disposable_email: rule('The referee email is at a disposable-address provider. Default score 50.', {}),
  synthetic_identity: rule(
    "The referee email looks machine-generated or numbered in sequence with the referrer's recent referees. " +
      'Default score 30.',
    {},
  ),
  burst_inactive: rule(
    'The referrer made max_inactive or more referrals in the window that have no purchase. Default score 40, 1 h, 5.',
    { window_hours: WindowHours, max_inactive: Count('Referrals without a purchase that trigger the rule.') },
  ),
  referral_ring: rule(
    'The chain of referrers above the referrer leads back to the referee. Default score 100.',
    {
      max_depth: Type.Integer({ minimum: 2, maximum: 20, description: 'Longest chain checked. Default 5.' }),
    },
  ),
  velocity: rule(
    "The referrer's referrals in the window reach min_referrals and factor times the program's mean per referrer. " +
      'Default score 50, 24 h, 10, ×5.',
    {
      window_hours: WindowHours,
      min_referrals: Count('Below this many referrals the rule never fires.'),
      factor: Type.Integer({ minimum: 2, maximum: 1000, description: "Multiple of the program's mean." }),
    },
  ),
  shared_payment: rule(
    "At qualification, the referee's payment method is the referrer's or another referee's. Default score 100.",
    {},
  ),
};

export const FraudSettingsInput = Type.Object(
  {
    review_score: Type.Optional(ReviewScore),
    block_score: Type.Optional(BlockScore),
    rules: Type.Optional(
      Type.Object(
        {
          self_referral_device: Type.Optional(Rules.self_referral_device.input),
          self_referral_ip: Type.Optional(Rules.self_referral_ip.input),
          bulk_ip: Type.Optional(Rules.bulk_ip.input),
          bulk_subnet: Type.Optional(Rules.bulk_subnet.input),
          disposable_email: Type.Optional(Rules.disposable_email.input),
          synthetic_identity: Type.Optional(Rules.synthetic_identity.input),
          burst_inactive: Type.Optional(Rules.burst_inactive.input),
          referral_ring: Type.Optional(Rules.referral_ring.input),
          velocity: Type.Optional(Rules.velocity.input),
          shared_payment: Type.Optional(Rules.shared_payment.input),
        },
        { additionalProperties: false, description: 'Per rule; a rule left out keeps its settings.' },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Fraud checks at sign-up and qualification. Each rule that fires adds its score; the total decides ' +
      'allow, review or block. An update changes only the fields it names.',
  },
);

export const FraudSettings = Type.Object(
  {
    review_score: ReviewScore,
    block_score: BlockScore,
    rules: Type.Object({
      self_referral_device: Rules.self_referral_device.output,
      self_referral_ip: Rules.self_referral_ip.output,
      bulk_ip: Rules.bulk_ip.output,
      bulk_subnet: Rules.bulk_subnet.output,
      disposable_email: Rules.disposable_email.output,
      synthetic_identity: Rules.synthetic_identity.output,
      burst_inactive: Rules.burst_inactive.output,
      referral_ring: Rules.referral_ring.output,
      velocity: Rules.velocity.output,
      shared_payment: Rules.shared_payment.output,
    }),
  },
  { title: 'FraudSettings' },
);
