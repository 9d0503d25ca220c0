export { parseWatchdogMode, type WatchdogMode, type ParsedMode } from './mode.js';
export { DEFAULT_WATCHDOG_SETTINGS, watchdogTimeout, timingSlack, type WatchdogSettings, type WatchdogTiming } from './settings.js';
export { WatchdogError, NullWatchdogDevice, type WatchdogDevice } from './device.js';
export { LinuxWatchdogDevice, DEFAULT_WATCHDOG_DEVICE, type LinuxWatchdogOptions } from './linux-device.js';
export { TestingWatchdogDevice } from './testing-device.js';
export { sysfsDirOf, readSysfsInfo, WDIOF_MAGICCLOSE, WDIOF_SETTIMEOUT, type WatchdogSysfsInfo } from './sysfs.js';
export { Watchdog, defaultWatchdogDevice, watchdogStartupProblem, type WatchdogOptions } from './watchdog.js';
export { watchdogLeaseGuard } from './lease-guard.js';
