// SPDX-License-Identifier: MIT
/*
 * MC146818 CMOS RTC: index port 0x70 (bit 7 disables NMI), data port 0x71.
 * The time registers read the backend's wall clock, in BCD or binary and in
 * 24- or 12-hour form as register B asks; update-in-progress is never shown,
 * so a kernel's "wait for UIP to clear" loop ends at once.  The clock cannot
 * be set (writes to the time registers are kept in CMOS RAM but the time
 * read stays the host's); alarms and periodic interrupts are not modelled.
 */
#include "vmm/devices.h"

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_WEEKDAY 0x06
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

#define RTC_B_24H 0x02
#define RTC_B_BINARY 0x04
#define RTC_D_VRT 0x80

void vmm_cmos_init(struct vmm_cmos *c)
{
	for (unsigned i = 0; i < sizeof(c->ram); i++)
		c->ram[i] = 0;
	c->index = 0;
	c->nmi_disabled = 0;
	c->ram[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1.024 kHz rate */
	c->ram[RTC_REG_B] = RTC_B_24H;
	c->ram[RTC_REG_D] = RTC_D_VRT;
}

/* Civil date from days since 1970-01-01 in the proleptic Gregorian calendar,
 * counting in 400-year eras that start on March 1st so that the leap day is
 * the last day of a year. */
void vmm_date_from_unix(uint64_t seconds, struct vmm_date *d)
{
	uint64_t days = seconds / 86400, rem = seconds % 86400;
	uint64_t z = days + 719468; /* days from 0000-03-01 */
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;                                 /* 0..146096 */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* 0..365 */
	uint64_t mp = (5 * doy + 2) / 153;                              /* 0 = March */
	uint64_t month = mp < 10 ? mp + 3 : mp - 9;

	d->year = (unsigned)(yoe + era * 400 + (month <= 2));
	d->month = (unsigned)month;
	d->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	d->hour = (unsigned)(rem / 3600);
	d->minute = (unsigned)(rem / 60 % 60);
	d->second = (unsigned)(rem % 60);
	d->weekday = (unsigned)((days + 4) % 7) + 1; /* 1970-01-01 was a Thursday */
}

static uint8_t encode(const struct vmm_cmos *c, unsigned value)
{
	if (c->ram[RTC_REG_B] & RTC_B_BINARY)
		return (uint8_t)value;
	return (uint8_t)(((value / 10) << 4) | (value % 10));
}

static uint8_t read_register(struct vmm_cmos *c, unsigned index, uint64_t wallclock)
{
	struct vmm_date d;
	unsigned hour;

	switch (index) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_WEEKDAY:
	case RTC_DAY:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		break;
	case RTC_REG_A:
		return c->ram[RTC_REG_A] & 0x7f; /* UIP never set */
	case RTC_REG_C:
		return 0; /* no interrupt flags; reading clears them */
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return c->ram[index];
	}
	vmm_date_from_unix(wallclock, &d);
	switch (index) {
	case RTC_SECONDS:
		return encode(c, d.second);
	case RTC_MINUTES:
		return encode(c, d.minute);
	case RTC_HOURS:
		if (c->ram[RTC_REG_B] & RTC_B_24H)
			return encode(c, d.hour);
		hour = d.hour % 12 ? d.hour % 12 : 12;
		return (uint8_t)(encode(c, hour) | (d.hour >= 12 ? 0x80 : 0));
	case RTC_WEEKDAY:
		return encode(c, d.weekday);
	case RTC_DAY:
		return encode(c, d.day);
	case RTC_MONTH:
		return encode(c, d.month);
	case RTC_YEAR:
		return encode(c, d.year % 100);
	default:
		return encode(c, d.year / 100);
	}
}

uint8_t vmm_cmos_io_read(struct vmm_cmos *c, uint16_t port, uint64_t wallclock)
{
	if ((port & 1) == 0)
		return 0xff; /* the index register is write-only */
	return read_register(c, c->index, wallclock);
}

void vmm_cmos_io_write(struct vmm_cmos *c, uint16_t port, uint8_t value)
{
	if ((port & 1) == 0) {
		c->index = value & 0x7f;
		c->nmi_disabled = value >> 7;
		return;
	}
	switch (c->index) {
	case RTC_REG_A:
		c->ram[RTC_REG_A] = value & 0x7f;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break; /* read-only */
	default:
		c->ram[c->index] = value;
		break;
	}
}
