import type { Catalog } from './en.ts';

export const es: Catalog = {
  'share.title': '{referrer} te ha invitado a {program}',
  'share.title_anonymous': 'Estás invitado a {program}',
  'share.offer':
    '{qualifies, select, signup {Regístrate con esta invitación y recibirás {reward}.} purchase {{purchases, plural, one {Haz tu primera compra con esta invitación y recibirás {reward}.} other {Haz # compras con esta invitación y recibirás {reward}.}}} other {Acepta esta invitación y recibirás {reward}.}}',
  'share.min_order': 'Cuentan los pedidos desde {amount}.',
  'share.referrer_reward': '{referrer} recibe {reward} como agradecimiento.',
  'share.no_offer': 'Acepta esta invitación para unirte a {program}.',
  'share.accept': 'Aceptar la invitación',
  'share.note':
    'Al continuar irás al sitio de {program}. Este dispositivo guarda la invitación durante {days, plural, one {# día} other {# días}}.',
  'share.languages': 'Idioma',
  'share.inactive_title': 'Esta invitación no está activa',
  'share.inactive_body':
    'Puede que el código esté mal escrito o que el programa haya terminado. Pide un enlace nuevo a quien lo compartió.',
  'reward.cash': '{amount}',
  'reward.credit': '{amount} de crédito',
  'reward.coupon': 'un cupón de {amount}',
  'reward.gift_card': 'una tarjeta regalo de {amount}',
  'reward.points': '{points, plural, one {# punto} other {# puntos}}',
  'reward.share': 'el {percent} de tu pedido',
  'reward.share_up_to': 'el {percent} de tu pedido, hasta {max}',
};
