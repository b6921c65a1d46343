/**
 * The alerts each recording of the quiet fleet genuinely deserves, by hand, with the recording's own lines
 * as evidence ("<recording> <rule> <subject>" → title). Any alert not here is a false one; one here that
 * does not fire is a missed one. Recordings not named deserve none.
 */
export const DESERVED: Readonly<Record<string, string>> = {
  // hrStorageDescr.31 "/", hrStorageSize.31 130431, hrStorageUsed.31 118862 (units 1024): 91.1 % used, over 90 %.
  'pepwave storage-full /': 'Quiet School 5: pepwave / is 91 % full (limit 90 %)',
  // prtMarkerSuppliesDescription.1.1 "Black Toner Cartridge", MaxCapacity.1.1 -2 (unknown), Level.1.1 0:
  // RFC 3805 level 0 is empty whatever the capacity (issue 13), so the toner is out.
  'brother_hl5370dw printer-supply-low Black Toner Cartridge': 'Quiet School 0: brother_hl5370dw Black Toner Cartridge at 0 % (limit 10 %)',
};
