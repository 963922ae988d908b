# SEV-SNP host support for Linux 6.1: the front door.
#
#   make check         the test command (CI runs it): everything, timed
#   make run           build, boot in the test VM, print the SNP readiness report
#   make tree          build/linux = Debian base + patches/series (git am)
#   make export        write build/linux's commits back to patches/
#   make help          all targets

SHELL := /bin/bash
S := scripts

.PHONY: help deps base tree export config build selftests upstream qemu10 vm-test \
	series-check tooling-test bisect-check variants coverage check run bench deb \
	clean distclean

help:
	@sed -n 's/^##//p' $(MAKEFILE_LIST)

## deps          install build and test dependencies (apt, needs root)
deps:
	$(S)/install-deps.sh

## base          unpack the pinned linux-source-6.1 once (~/.cache/snp-host/base, linked as build/base)
base: deps
	$(S)/prepare-base.sh

## tree          apply patches/series onto the base in build/linux
tree: base
	$(S)/tree.sh

## export        write the commits of build/linux back to patches/
export:
	$(S)/export-patches.sh

## config        the test kernel config (defconfig + configs/test/*.config)
config: tree
	$(S)/make-config.sh test build/obj

## build         build the test kernel (out of tree, ccache)
build: config
	$(S)/build-kernel.sh

## selftests     build the KVM selftests, statically linked
selftests: build
	$(S)/build-selftests.sh

## upstream      build mainline's KVM selftests (Debian's linux-source-6.12
##               and -7.3, private apt state, cached) for the upstream-* scenarios
upstream: deps
	$(S)/upstream-selftests.sh

## qemu10        Debian trixie's QEMU 10 and OVMF with their own glibc and
##               libraries (private apt state, cached) in build/qemu10, for
##               the scenarios that run guests in the test VM (QEMU10=yes)
qemu10: deps
	$(S)/qemu10.sh

## vm-test       run one VM scenario: make vm-test SCENARIO=base
SCENARIO ?= base
vm-test: selftests upstream qemu10
	$(S)/vm-test.sh $(SCENARIO)

## series-check  checkpatch --strict and series consistency
series-check: tree
	$(S)/check-series.sh

## tooling-test  tests of the patch queue, round trip, VM log judge, bisect-check, series check,
##               bench table
tooling-test: tree
	tests/tooling/test-patchq.sh
	tests/tooling/test-roundtrip.sh
	tests/tooling/test-vm-log.sh
	tests/tooling/test-bisect.sh
	tests/tooling/test-series-check.sh
	tests/tooling/test-bench.sh

## bisect-check  build the objects each patch touches, at that patch
bisect-check: build
	$(S)/bisect-check.sh

## variants      build the x86-host and psp-aspt objects with AMD_MEM_ENCRYPT,
##               KVM_AMD_SEV, AMD_IOMMU or CRYPTO_DEV_SP_PSP off (not part
##               of check: four more configs)
variants: config
	$(S)/build-variants.sh

## coverage      line coverage of the series' lines by the make check
##               scenarios: a gcov kernel (build/cov), every scenario, gcovr
##               (not part of check; report in build/cov/report.txt)
coverage: selftests upstream qemu10
	$(S)/coverage.sh

## check         the test command: all of the above, timed, with a summary
check:
	$(S)/check.sh

## run           boot the patched kernel on the simulated SNP platform, print
##               the SNP readiness report, then launch an SNP guest with
##               QEMU 10 and OVMF and print the launch (digest, KVM_RUN)
run: build qemu10
	$(S)/vm-test.sh report

## bench         run the guest_memfd benchmark in the test VM on our kernel
##               and on mainline 7.3 (same config fragments), and print
##               each figure with the ratio ours/mainline (BENCH_ROUNDS=3)
BENCH_ROUNDS ?= 3
bench: selftests
	$(S)/bench.sh $(BENCH_ROUNDS)

## deb           Debian packages (Debian's config + SNP; DEB_CONFIG=test: quick check)
deb: tree
	$(S)/build-deb.sh

## clean         remove build output (keeps the base cache and build/linux)
clean:
	rm -rf build/obj build/selftests build/vm build/logs build/bisect/obj \
		build/bisect/selftests build/config-test build/config-deb

## distclean     remove everything under build/
distclean:
	rm -rf build
