import type { Catalog } from './en.ts';

export const fr: Catalog = {
  'share.title': '{referrer} vous invite à rejoindre {program}',
  'share.title_anonymous': 'Vous êtes invité à rejoindre {program}',
  'share.offer':
    '{qualifies, select, signup {Inscrivez-vous grâce à cette invitation et recevez {reward}.} purchase {{purchases, plural, one {Faites votre premier achat grâce à cette invitation et recevez {reward}.} other {Faites # achats grâce à cette invitation et recevez {reward}.}}} other {Acceptez cette invitation et recevez {reward}.}}',
  'share.min_order': 'Les commandes à partir de {amount} comptent.',
  'share.referrer_reward': '{referrer} reçoit {reward} en remerciement.',
  'share.no_offer': 'Acceptez cette invitation pour rejoindre {program}.',
  'share.accept': 'Accepter l’invitation',
  'share.note':
    'Vous allez continuer sur le site de {program}. Cet appareil garde l’invitation pendant {days, plural, one {# jour} other {# jours}}.',
  'share.languages': 'Langue',
  'share.inactive_title': 'Cette invitation n’est pas active',
  'share.inactive_body':
    'Le code est peut-être mal saisi, ou le programme est terminé. Demandez un nouveau lien à la personne qui l’a partagé.',
  'reward.cash': '{amount}',
  'reward.credit': '{amount} de crédit',
  'reward.coupon': 'un bon de réduction de {amount}',
  'reward.gift_card': 'une carte cadeau de {amount}',
  'reward.points': '{points, plural, one {# point} other {# points}}',
  'reward.share': '{percent} de votre commande',
  'reward.share_up_to': '{percent} de votre commande, jusqu’à {max}',
};
