import type { Catalog } from './en.ts';

// Arabic has six plural forms (zero, one, two, few, many, other); each count below names them.
export const ar: Catalog = {
  'share.title': 'دعاك {referrer} إلى {program}',
  'share.title_anonymous': 'أنت مدعو إلى {program}',
  'share.offer':
    '{qualifies, select, signup {سجّل عبر هذه الدعوة واحصل على {reward}.} purchase {{purchases, plural, zero {اقبل هذه الدعوة واحصل على {reward}.} one {أتمم أول عملية شراء عبر هذه الدعوة واحصل على {reward}.} two {أتمم عمليتي شراء عبر هذه الدعوة واحصل على {reward}.} few {أتمم # عمليات شراء عبر هذه الدعوة واحصل على {reward}.} many {أتمم # عملية شراء عبر هذه الدعوة واحصل على {reward}.} other {أتمم # عملية شراء عبر هذه الدعوة واحصل على {reward}.}}} other {اقبل هذه الدعوة واحصل على {reward}.}}',
  'share.min_order': 'تُحتسب الطلبات بقيمة {amount} أو أكثر.',
  'share.referrer_reward': 'يحصل {referrer} على {reward} شكرًا له.',
  'share.no_offer': 'اقبل هذه الدعوة للانضمام إلى {program}.',
  'share.accept': 'قبول الدعوة',
  'share.note':
    'المتابعة تنقلك إلى موقع {program}. يحتفظ هذا الجهاز بالدعوة لمدة {days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}.',
  'share.languages': 'اللغة',
  'share.inactive_title': 'هذه الدعوة غير نشطة',
  'share.inactive_body': 'ربما كُتب الرمز بشكل خاطئ، أو انتهى البرنامج. اطلب رابطًا جديدًا من الشخص الذي شاركه.',
  'reward.cash': '{amount}',
  'reward.credit': 'رصيد بقيمة {amount}',
  'reward.coupon': 'قسيمة بقيمة {amount}',
  'reward.gift_card': 'بطاقة هدايا بقيمة {amount}',
  'reward.points':
    '{points, plural, zero {# نقطة} one {نقطة واحدة} two {نقطتين} few {# نقاط} many {# نقطة} other {# نقطة}}',
  'reward.share': '{percent} من طلبك',
  'reward.share_up_to': '{percent} من طلبك، بحد أقصى {max}',
};
