/**
 * What an `other` device is, when a school owns it but it is none of the watched classes: a camera, a
 * phone adapter, a fibre amplifier. The kind rides with the class (tag `kind`, shown by `discover`), so
 * a tech sees "other (camera)" instead of a bare "other"; roles and alert rules still follow the class.
 */
export const OTHER_KINDS = [
  'camera',
  'voip',
  'load-balancer',
  'traffic-monitor',
  'transport',
  'broadcast',
  'radio',
  'console-server',
  'poe-injector',
  'hotspot',
  'management-controller',
  'security-appliance',
  'iot',
] as const;
export type OtherKind = (typeof OTHER_KINDS)[number];

/**
 * Kinds of `other` gear whose job is to carry other devices' traffic or signals. LibreNMS files these
 * under its type "network" (with its routers and switches), and some of them (VoIP) under "appliance"
 * too; docs/devices.md gives the mapping and why it is decided by kind, once, not per device.
 */
export const NETWORK_KINDS: ReadonlySet<OtherKind> = new Set<OtherKind>([
  'voip',
  'load-balancer',
  'traffic-monitor',
  'transport',
  'broadcast',
  'radio',
  'console-server',
  'poe-injector',
  'hotspot',
]);

/**
 * Words a device uses for itself (sysDescr, chassis entPhysicalDescr) that name a kind of `other` gear.
 * Checked after the words of the watched classes (descr-words.ts), so "VoIP router" stays a router.
 */
export const KIND_WORDS: readonly [RegExp, OtherKind][] = [
  [/\b(baseboard management|management controller|bmc|integrated lights-out|ilo ?\d?|idrac\d*|xclarity|xcc|imm2?|ipmi|onboard administrator|chassis management)\b/i, 'management-controller'],
  [/\b(ip ?camera|network camera|dome camera|camera|ipcam|nvr|dvr|network video recorder|video recorder|video server)\b/i, 'camera'],
  [/\b(voip|sip|telephony|ip phone|ip-phone|phone adapter|telephone adapter|ata|fxs|fxo|pbx|ip-pbx|session border controller|sbc|media gateway|voice gateway|mediant|omnipcx|call manager|intercom|spa\d{3}\w*|ht\d(\d\d|xx)\w*)\b/i, 'voip'],
  [/\b(load balancer|traffic manager|application delivery|application service gateway|adc|big-ip)\b/i, 'load-balancer'],
  [/\b(proxy|proxysg|packet broker|network tap|gigavue|peakflow|ddos|packetlogic|deep packet inspection)\b/i, 'traffic-monitor'],
  [/\b(x?wdm|cwdm|dwdm|multiplexer|edfa|erbium|fib(er|re) amplifier|optical (receiver|transmitter|amplifier|transport|node)|transponder|media converter|cmts|docsis|cable modem|modem)\b/i, 'transport'],
  [/\b(transmitter|fm tx|tx \d+ ?w|dvb(-[tcs]2?)?|headend|head-end|modulator|encoder|transcoder|qam)\b/i, 'broadcast'],
  [/\b(base station|dmr|tetra|repeater)\b/i, 'radio'],
  [/\b(console server|terminal server|serial console|airconsole|kvm (switch|over ip))\b/i, 'console-server'],
  [/\b(midspan|poe injector|power over ethernet injector)\b/i, 'poe-injector'],
  [/\b(hotspot|captive portal)\b/i, 'hotspot'],
  [/\b(esphome|tasmota|esp32\w*|esp8266\w*|arduino)\b/i, 'iot'],
];

export function kindFromWords(text: string): { kind: OtherKind; word: string } | undefined {
  if (text.trim() === '') return undefined;
  for (const [pattern, kind] of KIND_WORDS) {
    const m = pattern.exec(text);
    if (m !== null) return { kind, word: m[0].trim() };
  }
  return undefined;
}
