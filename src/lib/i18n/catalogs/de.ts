import type { Catalog } from './en.ts';

export const de: Catalog = {
  'share.title': '{referrer} hat dich zu {program} eingeladen',
  'share.title_anonymous': 'Du bist zu {program} eingeladen',
  'share.offer':
    '{qualifies, select, signup {Registriere dich über diese Einladung und du erhältst {reward}.} purchase {{purchases, plural, one {Tätige über diese Einladung deinen ersten Einkauf und du erhältst {reward}.} other {Tätige über diese Einladung # Einkäufe und du erhältst {reward}.}}} other {Nimm diese Einladung an und du erhältst {reward}.}}',
  'share.min_order': 'Es zählen Bestellungen ab {amount}.',
  'share.referrer_reward': '{referrer} erhält {reward} als Dankeschön.',
  'share.no_offer': 'Nimm diese Einladung an, um {program} beizutreten.',
  'share.accept': 'Einladung annehmen',
  'share.note':
    'Weiter geht es auf der Website von {program}. Dieses Gerät merkt sich die Einladung {days, plural, one {# Tag} other {# Tage}} lang.',
  'share.languages': 'Sprache',
  'share.inactive_title': 'Diese Einladung ist nicht aktiv',
  'share.inactive_body':
    'Vielleicht ist der Code falsch geschrieben oder das Programm ist beendet. Bitte die Person, die ihn geteilt hat, um einen neuen Link.',
  'reward.cash': '{amount}',
  'reward.credit': '{amount} Guthaben',
  'reward.coupon': 'einen Gutschein über {amount}',
  'reward.gift_card': 'eine Geschenkkarte über {amount}',
  'reward.points': '{points, plural, one {# Punkt} other {# Punkte}}',
  'reward.share': '{percent} deiner Bestellung',
  'reward.share_up_to': '{percent} deiner Bestellung, höchstens {max}',
};
