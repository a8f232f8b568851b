/*
 * bcryptprimitives.dll for Wine 8, which lacks it: Go 1.22 and later get
 * their random numbers from ProcessPrng in this DLL and stop at start-up
 * without it. This one exports ProcessPrng and fills the buffer from
 * advapi32's RtlGenRandom (SystemFunction036), which Wine has. It is built
 * by `make test-windows` into a throw-away Wine prefix, never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng never fails on Windows; RtlGenRandom takes a ULONG length,
 * so a larger request is served in pieces. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
