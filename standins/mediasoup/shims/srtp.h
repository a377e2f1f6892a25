/*
 * CookIM: libsrtp 3 call surface on top of Debian's libsrtp2 (2.4/2.5).
 *
 * mediasoup 3.19 is written against libsrtp 3, which changed the protect/unprotect calls to take a
 * separate input and output buffer with size_t lengths (plus an MKI index), renamed
 * srtp_remove_stream() to srtp_stream_remove() and added two error codes. Debian bookworm ships
 * libsrtp2 only, whose calls work in place on one buffer with an int length.
 *
 * This header is put in front of the include path as <srtp.h> (by the build in
 * scripts/mediasoup/ensureMediasoupWorker.mjs). It includes the real libsrtp2 header, defines a
 * small adapter per changed call, and then renames the libsrtp 3 names onto the adapters, so
 * mediasoup's sources compile unchanged. Each adapter copies the input into the output buffer
 * (when they differ), runs the in-place libsrtp2 function on the output with an int length and
 * writes the resulting length back. MKI is not used by mediasoup, so the index is ignored.
 */
#ifndef COOKIM_SRTP3_COMPAT_H
#define COOKIM_SRTP3_COMPAT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <srtp2/srtp.h>

/* Error codes that only exist in libsrtp 3 (libsrtp2 stops at 27). */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

/* SRTCP adds a 4-byte E flag + index word in front of the tag. */
#define COOKIM_SRTCP_EXTRA_LEN 4

/*
 * Shared body of the four adapters: make sure "out" can hold the result, move the input there,
 * run the libsrtp2 call in place and report the new length.
 */
typedef srtp_err_status_t (*cookim_srtp2_inplace_fn)(srtp_t, void *, int *);

static inline srtp_err_status_t cookim_srtp_run_inplace(
  cookim_srtp2_inplace_fn fn,
  srtp_t ctx,
  const uint8_t *in,
  size_t in_len,
  uint8_t *out,
  size_t *out_len,
  size_t growth)
{
  int len;
  srtp_err_status_t status;

  if (in == NULL || out == NULL || out_len == NULL)
    return srtp_err_status_bad_param;
  if (in_len > (size_t)INT_MAX - growth || in_len + growth > *out_len)
    return srtp_err_status_buffer_small;

  if (out != in)
    memmove(out, in, in_len);

  len = (int)in_len;
  status = fn(ctx, out, &len);
  if (status == srtp_err_status_ok)
    *out_len = (size_t)len;

  return status;
}

static inline srtp_err_status_t cookim_srtp3_protect(
  srtp_t ctx, const uint8_t *rtp, size_t rtp_len, uint8_t *srtp, size_t *srtp_len, size_t mki_index)
{
  (void)mki_index;
  return cookim_srtp_run_inplace(
    srtp_protect, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);
}

static inline srtp_err_status_t cookim_srtp3_unprotect(
  srtp_t ctx, const uint8_t *srtp, size_t srtp_len, uint8_t *rtp, size_t *rtp_len)
{
  /* Decryption only shrinks the packet. */
  return cookim_srtp_run_inplace(srtp_unprotect, ctx, srtp, srtp_len, rtp, rtp_len, 0);
}

static inline srtp_err_status_t cookim_srtp3_protect_rtcp(
  srtp_t ctx, const uint8_t *rtcp, size_t rtcp_len, uint8_t *srtcp, size_t *srtcp_len, size_t mki_index)
{
  (void)mki_index;
  return cookim_srtp_run_inplace(
    srtp_protect_rtcp,
    ctx,
    rtcp,
    rtcp_len,
    srtcp,
    srtcp_len,
    SRTP_MAX_TRAILER_LEN + COOKIM_SRTCP_EXTRA_LEN);
}

static inline srtp_err_status_t cookim_srtp3_unprotect_rtcp(
  srtp_t ctx, const uint8_t *srtcp, size_t srtcp_len, uint8_t *rtcp, size_t *rtcp_len)
{
  return cookim_srtp_run_inplace(srtp_unprotect_rtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len, 0);
}

static inline srtp_err_status_t cookim_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
  /* Same contract as libsrtp2's srtp_remove_stream(): ssrc in network byte order. */
  return srtp_remove_stream(session, (unsigned int)ssrc);
}

/* From here on the libsrtp 3 names resolve to the adapters above. */
#define srtp_protect cookim_srtp3_protect
#define srtp_unprotect cookim_srtp3_unprotect
#define srtp_protect_rtcp cookim_srtp3_protect_rtcp
#define srtp_unprotect_rtcp cookim_srtp3_unprotect_rtcp
#define srtp_stream_remove cookim_srtp3_stream_remove

#endif /* COOKIM_SRTP3_COMPAT_H */
