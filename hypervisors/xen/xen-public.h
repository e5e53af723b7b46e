/* SPDX-License-Identifier: MIT */
/*
 * Xen's public interface headers (Debian's libxen-dev, /usr/include/xen),
 * made usable from freestanding code.
 *
 * The headers name fixed-width types but include nothing that defines them:
 * the includer must provide <stdint.h> first.  The compiler's own
 * freestanding <stdint.h> serves; no host C library header is reachable
 * (the build puts only a directory holding the xen/ tree on the include path).
 *
 * __XEN_INTERFACE_VERSION__ selects which revision of the interface the
 * headers describe.  We speak the newest one those headers know (Xen 4.14's
 * revision, unchanged through 4.17); without a definition the headers fall
 * back to revision 0 and its legacy names.
 *
 * Every hypercall number, structure and constant used by the backend comes
 * from these headers; none is retyped.
 */
#ifndef PREVIRT_XEN_PUBLIC_H
#define PREVIRT_XEN_PUBLIC_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#ifdef __ASSEMBLY__
/* Only these two guard their C declarations for assembly sources. */
#include <xen/xen.h>
#include <xen/elfnote.h>
#else
#include <stdint.h>
#include <xen/xen.h>
#include <xen/elfnote.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/callback.h>
#include <xen/vcpu.h>
#include <xen/features.h>
#include <xen/version.h>
#include <xen/errno.h>
#endif

#endif
