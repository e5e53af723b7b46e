/* SPDX-License-Identifier: MIT */
/*
 * guest_main: the test runner. It saves the boot information, loads the
 * guest's own tables, then runs each test group in order; each test prints
 * one line. In bench mode (command line word "bench") it runs the
 * benchmarks instead; "hang" and "fault" are runner self-tests. The exit status goes to the isa-debug-exit port.
 */
#include "arch.h"
#include "bench.h"
#include "bootinfo.h"
#include "console.h"
#include "desc.h"
#include "irq.h"
#include "lib.h"
#include "paging.h"
#include "saved_boot.h"
#include "test.h"
#include "injection.h"
#include "user.h"

struct saved_boot saved_boot;

static void save_boot_info(const struct guest_boot_info *bi)
{
	saved_boot.info = *bi;
	if (bi->magic != GUEST_BOOT_MAGIC)
		return;
	unsigned n = bi->memmap_entries;
	if (n > SAVED_MEMMAP_MAX)
		n = SAVED_MEMMAP_MAX;
	if (bi->memmap)
		memcpy(saved_boot.memmap, (const void *)bi->memmap, n * sizeof(saved_boot.memmap[0]));
	saved_boot.memmap_entries = bi->memmap ? n : 0;
	if (bi->cmdline) {
		const char *s = (const char *)bi->cmdline;
		size_t i;
		for (i = 0; i + 1 < sizeof(saved_boot.cmdline) && s[i]; i++)
			saved_boot.cmdline[i] = s[i];
		saved_boot.cmdline[i] = '\0';
	}
}

void guest_main(const struct guest_boot_info *bi) NORETURN;
void guest_main(const struct guest_boot_info *bi)
{
	console_init();
	save_boot_info(bi);
	int bench = cmdline_has_word(saved_boot.cmdline, "bench");
	/*
	 * Runner self-tests: "hang" never reports a status (the runner's
	 * timeout must end it); "fault" takes an exception no test expects
	 * (the guest must report it and abort with status 2).
	 */
	int hang = cmdline_has_word(saved_boot.cmdline, "hang");
	int fault = cmdline_has_word(saved_boot.cmdline, "fault");
	console_puts(bench ? "previrt-guest: bench\n" : "previrt-guest: begin\n");

	desc_build();
	test_bootinfo();
	test_descriptors(); /* loads the GDT, LDT, TSS and IDT */
	percpu_load();
	paging_init();
	pic_init();
	user_setup();

	injection_run(saved_boot.cmdline);
	if (fault)
		asm volatile("ud2");
	if (hang) {
		for (;;) {
			cli();
			hlt();
		}
	}
	if (bench) {
		bench_run();
		console_puts("previrt-guest: end\n");
		guest_exit(tests_failed ? GUEST_FAILED : GUEST_PASSED);
	}

	test_exceptions();
	test_paging();
	test_msrs();
	test_user();
	test_interrupts();
	test_cpu();
	test_extensions();

	console_printf("previrt-guest: %u tests, %u failed, %u skipped\n", tests_run, tests_failed,
		       tests_skipped);
	console_puts("previrt-guest: end\n");
	guest_exit(tests_failed ? GUEST_FAILED : GUEST_PASSED);
}
