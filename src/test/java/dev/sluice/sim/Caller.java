package dev.sluice.sim;

/**
 * An authenticated caller: a configured key and its counters in the stats window that was current
 * when the call arrived (a reset in between leaves the call in the old window).
 */
record Caller(String key, KeyCounters counters, StatsWindow stats) {
}
