/* SPDX-License-Identifier: MIT */
/*
 * Ctrl-C as a request to stop cleanly.  After qp_interrupt_catch(),
 * SIGINT, SIGTERM and SIGHUP only set a flag: the trace reader sees it
 * between two batches of messages and stops its graphs (a status
 * QP_E_CANCELED), so that the two-graph read removes its temporary tree
 * and nothing half-done is written; the program then ends with
 * qp_interrupt_raise(), as the signal would have ended it (exit status
 * 128 + N in a shell).  docs/REPORT.md, "Interrupting a report".
 */
#ifndef QPROF_POST_INTERRUPT_H
#define QPROF_POST_INTERRUPT_H

/* Catch SIGINT, SIGTERM and SIGHUP (the flag only; SA_RESTART). */
void qp_interrupt_catch(void);

/* The first of those signals received since qp_interrupt_catch(), or 0. */
int qp_interrupted(void);

/* When a signal was received: its default action, and the signal again
 * (does not return); otherwise nothing. */
void qp_interrupt_raise(void);

#endif /* QPROF_POST_INTERRUPT_H */
