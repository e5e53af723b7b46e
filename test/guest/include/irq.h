/* SPDX-License-Identifier: MIT */
/* 8259 PIC (remapped to VECTOR_IRQ_BASE) and 8254 PIT channel 0 as a periodic timer. */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H
#include "types.h"

#define TIMER_HZ 1000

void pic_init(void);         /* remap, all lines masked */
void timer_start(void);      /* PIT channel 0 periodic, IRQ 0 unmasked */
void timer_stop(void);       /* IRQ 0 masked */
int timer_pending(void);     /* IRQ 0 requested but not yet delivered (PIC IRR) */

extern volatile u64 timer_ticks;
extern volatile u64 timer_rip; /* saved %rip of the last timer interrupt */
/* The last timer interrupt taken in ring 3: saved %cs and frame address. */
extern volatile u64 user_tick_cs, user_tick_frame;
/* rdtsc in the timer handler, for the delivery benchmark. */
extern volatile u64 timer_tsc;
extern volatile u64 user_tick_seen; /* in a user page, read by ring 3 */

#endif
