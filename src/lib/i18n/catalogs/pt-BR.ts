import type { Catalog } from './en.ts';

export const ptBR: Catalog = {
  'share.title': '{referrer} convidou você para {program}',
  'share.title_anonymous': 'Você foi convidado para {program}',
  'share.offer':
    '{qualifies, select, signup {Cadastre-se por este convite e ganhe {reward}.} purchase {{purchases, plural, one {Faça sua primeira compra por este convite e ganhe {reward}.} other {Faça # compras por este convite e ganhe {reward}.}}} other {Aceite este convite e ganhe {reward}.}}',
  'share.min_order': 'Valem pedidos a partir de {amount}.',
  'share.referrer_reward': '{referrer} ganha {reward} como agradecimento.',
  'share.no_offer': 'Aceite este convite para participar de {program}.',
  'share.accept': 'Aceitar o convite',
  'share.note':
    'Ao continuar, você irá para o site de {program}. Este dispositivo guarda o convite por {days, plural, one {# dia} other {# dias}}.',
  'share.languages': 'Idioma',
  'share.inactive_title': 'Este convite não está ativo',
  'share.inactive_body':
    'O código pode estar digitado errado, ou o programa pode ter terminado. Peça um novo link a quem o compartilhou.',
  'reward.cash': '{amount}',
  'reward.credit': '{amount} em crédito',
  'reward.coupon': 'um cupom de {amount}',
  'reward.gift_card': 'um cartão-presente de {amount}',
  'reward.points': '{points, plural, one {# ponto} other {# pontos}}',
  'reward.share': '{percent} do seu pedido',
  'reward.share_up_to': '{percent} do seu pedido, até {max}',
};
