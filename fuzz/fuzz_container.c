// SPDX-License-Identifier: BSD-2-Clause
/* libFuzzer target: lskel-run's container reader (validation, the manifest in the blob and
 * the description built from it). */
#include <stdint.h>
#include <lskel/container.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lskel_desc d;
	struct lskel_cnt c;
	char err[256];
	__u32 i;

	if (lskel_cnt_parse(data, size, &c, err, sizeof(err)))
		return 0;
	if (lskel_cnt_desc(&c, &d))
		return 0;
	/* touch everything the loader run and lskel-run would read */
	for (i = 0; i < d.nr_ops; i++)
		(void)lskel_cmd_name(d.op_cmd[i]), (void)d.op_what[i][0];
	for (i = 0; i < c.mf.h->nr_maps; i++)
		(void)lskel_mf_str(&c.mf, c.mf.maps[i].name)[0],
			(void)lskel_mf_str(&c.mf, c.mf.objs[c.mf.maps[i].obj].name)[0];
	for (i = 0; i < c.mf.h->nr_progs; i++)
		(void)lskel_mf_str(&c.mf, c.mf.progs[i].target)[0];
	lskel_cnt_desc_free(&d);
	return 0;
}
