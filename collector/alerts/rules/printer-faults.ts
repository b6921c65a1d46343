import type { Sample } from '../../../contract/index.ts';
import { conditionRule, num } from './rule.ts';
import type { RuleId } from './ids.ts';

/**
 * A printer that needs a person: jammed, a door open, out of paper, out of toner. Read from the `printer`
 * sample's hrPrinterDetectedErrorState bits (RFC 2790, extended by RFC 3805 §2.2.13.4: jammed(5),
 * doorOpen(4), noPaper(1), noToner(3)), which the agent polls; a Printer-MIB printerV2Alert trap
 * (RFC 3805 §2.4) sets the same bit at once (collector/traps/overlay.ts) and the next poll confirms or
 * corrects it, because RFC 3805 sends no trap when the alert goes away.
 */
function printerFault(id: RuleId, field: string, what: string, over: string) {
  return conditionRule({
    id,
    measurement: 'printer',
    // One printer per hrDevice row; almost every printer has one (index 1), named only when there are more.
    subject: (s: Sample) => (s.tags.printer_index === undefined || s.tags.printer_index === '1' ? {} : { instance: `printer ${s.tags.printer_index}` }),
    holds: (s) => {
      const bit = num(s, field);
      return bit === undefined ? undefined : bit === 1;
    },
    describe: (sub, device, active) => `${[device, sub.instance].filter(Boolean).join(' ')} ${active ? what : over}`,
  });
}

export const printerJam = printerFault('printer-jam', 'jammed', 'has a paper jam', 'jam cleared');
export const printerDoorOpen = printerFault('printer-door-open', 'door_open', 'has a door or cover open', 'doors closed');
export const printerPaperOut = printerFault('printer-paper-out', 'no_paper', 'is out of paper', 'has paper again');
export const printerTonerEmpty = printerFault('printer-toner-empty', 'no_toner', 'is out of toner', 'has toner again');
