#pragma once
// libsystemd for Swift: sd_notify, socket activation, the watchdog and the journal.
// (Swift cannot call the variadic sd_notifyf / sd_journal_send: use sd_notify and sd_journal_sendv.)
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

/// SD_LISTEN_FDS_START is a macro Swift does not import.
static inline int csd_listen_fds_start(void) { return SD_LISTEN_FDS_START; }
