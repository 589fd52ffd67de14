// SPDX-License-Identifier: BSD-2-Clause
/* USDT target for tests/test_usdt.c: probes of provider lskel_test with every argument kind
 * x86-64 compilers emit (gcc -O2 picks them; `readelf -n` shows the specs):
 *   consts   $IMM constants of 1, 4 and 8 bytes, signed
 *   regs     registers by 8-bit (%dil, %sil), 16-bit (%dx, %cx), 32-bit (%r8d, %r9d) names and
 *            stack arguments 8(%rsp), 16(%rsp); signed and unsigned of each size
 *   mem      stack memory -N(%rsp), signed and unsigned, 1/2/4/8 bytes
 *   frame    frame-pointer memory -N(%rbp) (that function is built at -O0)
 *   twice    one name at two sites with different specs
 *   guarded  a probe behind a semaphore (guarded.c), its argument the semaphore's value
 * and probes the runtime must refuse, never executed (bad_*: an index register, an xmm
 * register, thirteen arguments). Prints the semaphore after the probes ran. */
#include <stdint.h>
#include <stdio.h>
#include <sys/sdt.h>

void regs(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g,
	  uint64_t h);
void mem(int k);
void frame(int k);
void site(int which, long v);
void refused(void);
unsigned int guarded(void);

__attribute__((noipa)) void regs(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e,
				 uint32_t f, int64_t g, uint64_t h)
{
	STAP_PROBE8(lskel_test, regs, a, b, c, d, e, f, g, h);
}

__attribute__((noipa)) void mem(int k)
{
	volatile int8_t a = (int8_t)(-5 * k);
	volatile uint8_t b = (uint8_t)(250 * k);
	volatile int16_t c = (int16_t)(-30000 * k);
	volatile uint16_t d = (uint16_t)(65000 * k);
	volatile int32_t e = -2000000000 * k;
	volatile uint32_t f = 4000000000u * k;
	volatile int64_t g = -5000000000LL * k;
	volatile uint64_t h = 0xfedcba9876543210ULL * k;

	STAP_PROBE8(lskel_test, mem, a, b, c, d, e, f, g, h);
}

__attribute__((noipa, optimize("O0"))) void frame(int k)
{
	int16_t s = (int16_t)(-1234 * k);
	uint32_t u = 0xdeadbeefu * k;
	int64_t l = -77LL * k;

	STAP_PROBE3(lskel_test, frame, s, u, l);
}

__attribute__((noipa)) void site(int which, long v)
{
	if (which == 1)
		STAP_PROBE2(lskel_test, twice, 1, v);
	else
		STAP_PROBE2(lskel_test, twice, 2, v * 3);
}

__attribute__((noipa, used)) void refused(void)
{
	__asm__ volatile(STAP_PROBE_ASM(lskel_test, bad_index, -4@-4(%rbp,%rax,4))
			 STAP_PROBE_ASM(lskel_test, bad_xmm, 8@%xmm0)
			 STAP_PROBE_ASM(lskel_test, bad_many, 1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7
					1@$8 1@$9 1@$10 1@$11 1@$12 1@$13));
}

int main(int argc, char **argv)
{
	unsigned int sema;

	(void)argv;
	STAP_PROBE4(lskel_test, consts, 5, -7, (int8_t)-3, 0x123456789LL);
	regs(-100, 200, -1000, 60000, -100000, 3000000000u, -(1LL << 40),
	     0xffffffffffffff00ULL + (unsigned int)argc);
	mem(argc);
	frame(argc);
	site(1, 10);
	site(2, 20);
	sema = guarded();
	printf("%u\n", sema);
	return 0;
}
