/* SPDX-License-Identifier: MIT
 *
 * main.c — the cxmeter command: dispatches to the subcommands.
 */
#include <stdio.h>

#include "cxmeter/cxmeter.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts(cxm_version());
    return 0;
}
