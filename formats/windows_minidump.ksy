meta:
  id: windows_minidump
  title: Windows MiniDump
  file-extension:
    - dmp
    - mdmp
  license: MIT
  endian:
    switch-on: signature
    cases:
      0x504d444d: le
      0x4d444d50: be
      _: le
doc: |
  Windows MiniDump (MDMP): a process crash dump written by Windows
  (MiniDumpWriteDump), Breakpad, Crashpad, LLDB and others. The file is a
  container: a header, a directory of typed streams, and the streams.
  Offsets ("RVAs") are absolute file offsets. To support a new stream,
  add a type below and a case to `dir.data`.

  Dumps are little-endian; a byte-swapped signature ("PMDM") marks a
  big-endian dump, where every integer and UTF-16 string is big-endian
  (rust-minidump reads those too). Nested types inherit the byte order
  chosen here. UTF-16 text follows it: a string type has a `_be` twin
  picked with `switch-on: _root.is_be`, and a string inside a larger type
  is read as `<name>_le` or `<name>_be` and shown as the instance `<name>`.
doc-ref: https://learn.microsoft.com/en-us/windows/win32/api/minidumpapiset/ns-minidumpapiset-minidump_header
seq:
  - id: magic1
    size: 4
    valid:
      any-of:
        - '[0x4d, 0x44, 0x4d, 0x50]'
        - '[0x50, 0x4d, 0x44, 0x4d]'
    doc: '"MDMP", or "PMDM" in a big-endian dump.'
  - id: magic2
    size: 2
    valid: '[0x93, 0xa7]'
    if: not is_be
    doc: Low 16 bits of the version (MINIDUMP_VERSION = 0xa793).
  - id: version
    type: u2
    doc: High 16 bits of the version, implementation-specific.
  - id: magic2_be
    size: 2
    valid: '[0xa7, 0x93]'
    if: is_be
    doc: The low 16 bits of the version, after the high ones in a big-endian dump.
  - id: num_streams
    type: u4
  - id: ofs_streams
    type: u4
  - id: checksum
    type: u4
  - id: timestamp
    type: u4
    doc: Unix time of the dump.
  - id: flags
    type: u8
    doc: MINIDUMP_TYPE bits.
instances:
  signature:
    pos: 0
    type: u4le
    doc: The first four bytes as a little-endian u4; they choose the byte order.
  is_be:
    value: signature == 0x4d444d50
    doc: A big-endian (byte-swapped) dump.
  streams:
    pos: ofs_streams
    type: dir
    repeat: expr
    repeat-expr: num_streams
  dir_scan:
    pos: ofs_streams
    size: num_streams * 12
    type: dir_scan
    if: num_streams > 0
    doc: The directory up to its first SystemInfo entry (one pass, finds cpu_arch).
  has_sysinfo:
    value: 'num_streams > 0 and dir_scan.entries.last.stream_type == stream_types::system_info'
  cpu_arch:
    pos: dir_scan.entries.last.ofs_data
    type: u2
    enum: system_info::cpu_archs
    if: has_sysinfo
    doc: Processor architecture from the SystemInfo stream; selects CPU context layouts.
  len_word:
    value: >-
      has_sysinfo and (cpu_arch == system_info::cpu_archs::amd64
      or cpu_arch == system_info::cpu_archs::arm64
      or cpu_arch == system_info::cpu_archs::arm64_old
      or cpu_arch == system_info::cpu_archs::ppc64
      or cpu_arch == system_info::cpu_archs::mips64
      or cpu_arch == system_info::cpu_archs::riscv64) ? 8 : 4
    doc: Pointer size of the dumped process (4 when unknown); used by Linux auxv and DSO debug.
types:
  dir:
    doc: Stream directory entry (MINIDUMP_DIRECTORY).
    seq:
      - id: stream_type
        type: u4
        enum: stream_types
      - id: len_data
        type: u4
      - id: ofs_data
        type: u4
    instances:
      data:
        pos: ofs_data
        size: len_data
        type:
          switch-on: stream_type
          cases:
            stream_types::thread_list: thread_list
            stream_types::module_list: module_list
            stream_types::memory_list: memory_list
            stream_types::exception: exception_stream
            stream_types::system_info: system_info
            stream_types::thread_ex_list: thread_ex_list
            stream_types::memory_64_list: memory_64_list
            stream_types::comment_a: comment_a
            stream_types::comment_w: comment_w
            stream_types::handle_data: handle_data
            stream_types::function_table: function_table_stream
            stream_types::unloaded_module_list: unloaded_module_list
            stream_types::misc_info: misc_info
            stream_types::memory_info_list: memory_info_list
            stream_types::thread_info_list: thread_info_list
            stream_types::handle_operation_list: handle_operation_list
            stream_types::token: token_info_list
            stream_types::system_memory_info: system_memory_info
            stream_types::process_vm_counters: process_vm_counters
            stream_types::thread_names: thread_name_list
            stream_types::md_raw_breakpad_info: breakpad_info
            stream_types::md_raw_assertion_info: assertion_info
            stream_types::md_linux_cpu_info: text_stream
            stream_types::md_linux_proc_status: text_stream
            stream_types::md_linux_lsb_release: text_stream
            stream_types::md_linux_cmd_line: nul_separated_list
            stream_types::md_linux_environ: nul_separated_list
            stream_types::md_linux_auxv: linux_auxv
            stream_types::md_linux_maps: text_stream
            stream_types::md_linux_dso_debug: linux_dso_debug
            stream_types::md_linux_proc_stat: text_stream
            stream_types::md_linux_proc_uptime: text_stream
            stream_types::md_crashpad_info_stream: crashpad_info
            stream_types::moz_macos_crash_info: moz_macos_crash_info
            stream_types::moz_macos_bootargs: moz_macos_bootargs
            stream_types::moz_linux_limits: text_stream
            stream_types::moz_soft_errors: text_stream
        doc: Stream contents; types without a case stay raw bytes.

  dir_scan:
    doc: Directory prefix ending at the first SystemInfo entry (or at the end).
    seq:
      - id: entries
        type: dir_scan_entry
        repeat: until
        repeat-until: '_.stream_type == stream_types::system_info or _io.eof'
  dir_scan_entry:
    doc: A directory entry read without its stream.
    seq:
      - id: stream_type
        type: u4
        enum: stream_types
      - id: len_data
        type: u4
      - id: ofs_data
        type: u4

  location_descriptor:
    doc: Size and file offset of a block (MINIDUMP_LOCATION_DESCRIPTOR).
    seq:
      - id: len_data
        type: u4
      - id: ofs_data
        type: u4
    instances:
      data:
        io: _root._io
        pos: ofs_data
        size: len_data
  minidump_string:
    doc: Length-prefixed UTF-16LE string (MINIDUMP_STRING); the length is in bytes, without the NUL. Big-endian dumps use minidump_string_be.
    seq:
      - id: len_str
        type: u4
      - id: str
        size: len_str
        type: str
        encoding: UTF-16LE
  minidump_string_be:
    doc: MINIDUMP_STRING of a big-endian dump (UTF-16BE), with the fields of minidump_string.
    seq:
      - id: len_str
        type: u4
      - id: str
        size: len_str
        type: str
        encoding: UTF-16BE
  utf8_string:
    doc: Length-prefixed UTF-8 string (MINIDUMP_UTF8_STRING, Crashpad).
    seq:
      - id: len_str
        type: u4
      - id: str
        size: len_str
        type: str
        encoding: UTF-8
  guid:
    doc: GUID as stored (data1..data3 little-endian, data4 as bytes).
    seq:
      - id: data1
        type: u4
      - id: data2
        type: u2
      - id: data3
        type: u2
      - id: data4
        size: 8

  # ---------------------------------------------------------------- threads
  thread_list:
    doc: ThreadList stream (MINIDUMP_THREAD_LIST).
    seq:
      - id: num_threads
        type: u4
      - id: padding
        size: 4
        if: _io.size - 4 - num_threads * 48 == 4
        doc: Some writers pad the count to 8 bytes.
      - id: threads
        type: thread
        repeat: expr
        repeat-expr: num_threads
  thread:
    doc: One thread (MINIDUMP_THREAD, 48 bytes).
    seq:
      - id: thread_id
        type: u4
      - id: suspend_count
        type: u4
      - id: priority_class
        type: u4
      - id: priority
        type: u4
      - id: teb
        type: u8
        doc: Thread Environment Block address.
      - id: stack
        type: memory_descriptor
      - id: thread_context
        type: location_descriptor
    instances:
      context:
        io: _root._io
        pos: thread_context.ofs_data
        size: thread_context.len_data
        type: cpu_context
  thread_ex_list:
    doc: ThreadExList stream (MINIDUMP_THREAD_EX_LIST, IA-64 era).
    seq:
      - id: num_threads
        type: u4
      - id: padding
        size: 4
        if: _io.size - 4 - num_threads * 64 == 4
      - id: threads
        type: thread_ex
        repeat: expr
        repeat-expr: num_threads
  thread_ex:
    doc: One thread with its backing store (MINIDUMP_THREAD_EX, 64 bytes).
    seq:
      - id: thread_id
        type: u4
      - id: suspend_count
        type: u4
      - id: priority_class
        type: u4
      - id: priority
        type: u4
      - id: teb
        type: u8
      - id: stack
        type: memory_descriptor
      - id: thread_context
        type: location_descriptor
      - id: backing_store
        type: memory_descriptor
    instances:
      context:
        io: _root._io
        pos: thread_context.ofs_data
        size: thread_context.len_data
        type: cpu_context
  thread_info_list:
    doc: ThreadInfoList stream (MINIDUMP_THREAD_INFO_LIST).
    seq:
      - id: size_of_header
        type: u4
      - id: size_of_entry
        type: u4
      - id: num_entries
        type: u4
      - id: header_rest
        size: size_of_header - 12
        if: size_of_header > 12
      - id: entries
        size: size_of_entry
        type: thread_info
        repeat: expr
        repeat-expr: num_entries
  thread_info:
    doc: Per-thread dump status and times (MINIDUMP_THREAD_INFO, 64 bytes).
    seq:
      - id: thread_id
        type: u4
      - id: dump_flags
        type: u4
        doc: 0x1 error thread, 0x2 writing thread, 0x4 exited, 0x8 invalid info, 0x10 invalid context, 0x20 invalid TEB.
      - id: dump_error
        type: u4
      - id: exit_status
        type: u4
      - id: create_time
        type: u8
      - id: exit_time
        type: u8
      - id: kernel_time
        type: u8
      - id: user_time
        type: u8
      - id: start_address
        type: u8
      - id: affinity
        type: u8
  thread_name_list:
    doc: ThreadNames stream (MINIDUMP_THREAD_NAME_LIST).
    seq:
      - id: num_thread_names
        type: u4
      - id: padding
        size: 4
        if: _io.size - 4 - num_thread_names * 12 == 4
      - id: thread_names
        type: thread_name
        repeat: expr
        repeat-expr: num_thread_names
  thread_name:
    doc: A thread's name (MINIDUMP_THREAD_NAME, 12 bytes, 64-bit RVA).
    seq:
      - id: thread_id
        type: u4
      - id: ofs_thread_name
        type: u8
    instances:
      thread_name:
        io: _root._io
        pos: ofs_thread_name
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string

  # ---------------------------------------------------------------- modules
  module_list:
    doc: ModuleList stream (MINIDUMP_MODULE_LIST).
    seq:
      - id: num_modules
        type: u4
      - id: padding
        size: 4
        if: _io.size - 4 - num_modules * 108 == 4
      - id: modules
        type: module
        repeat: expr
        repeat-expr: num_modules
  module:
    doc: A loaded module (MINIDUMP_MODULE, 108 bytes).
    seq:
      - id: base_of_image
        type: u8
      - id: size_of_image
        type: u4
      - id: checksum
        type: u4
      - id: time_date_stamp
        type: u4
      - id: ofs_module_name
        type: u4
      - id: version_info
        type: vs_fixedfileinfo
      - id: cv_record
        type: location_descriptor
      - id: misc_record
        type: location_descriptor
      - id: reserved0
        type: u8
      - id: reserved1
        type: u8
    instances:
      module_name:
        io: _root._io
        pos: ofs_module_name
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string
      cv_info:
        io: _root._io
        pos: cv_record.ofs_data
        size: cv_record.len_data
        type: codeview_record
        if: cv_record.len_data >= 4
      debug_misc:
        io: _root._io
        pos: misc_record.ofs_data
        size: misc_record.len_data
        type: image_debug_misc
        if: misc_record.len_data >= 12
  vs_fixedfileinfo:
    doc: File version resource (VS_FIXEDFILEINFO); signature 0xfeef04bd, or 0 when absent.
    seq:
      - id: signature
        type: u4
      - id: struct_version
        type: u4
      - id: file_version_hi
        type: u4
      - id: file_version_lo
        type: u4
      - id: product_version_hi
        type: u4
      - id: product_version_lo
        type: u4
      - id: file_flags_mask
        type: u4
      - id: file_flags
        type: u4
      - id: file_os
        type: u4
      - id: file_type
        type: u4
      - id: file_subtype
        type: u4
      - id: file_date_hi
        type: u4
      - id: file_date_lo
        type: u4
  codeview_record:
    doc: CodeView debug record, switched on its signature.
    seq:
      - id: cv_signature
        type: u4
        enum: cv_signatures
      - id: info
        size-eos: true
        type:
          switch-on: cv_signature
          cases:
            cv_signatures::rsds: cv_pdb70
            cv_signatures::nb10: cv_pdb20
            cv_signatures::bpel: cv_elf
    enums:
      cv_signatures:
        0x53445352: rsds
        0x3031424e: nb10
        0x3930424e: nb09
        0x3131424e: nb11
        0x4270454c: bpel
  cv_pdb70:
    doc: PDB 7.0 reference (CV_INFO_PDB70 after "RSDS").
    seq:
      - id: signature
        type: guid
      - id: age
        type: u4
      - id: pdb_file_name
        type: strz
        encoding: UTF-8
        eos-error: false
  cv_pdb20:
    doc: PDB 2.0 reference (CV_INFO_PDB20 after "NB10").
    seq:
      - id: cv_offset
        type: u4
      - id: signature
        type: u4
      - id: age
        type: u4
      - id: pdb_file_name
        type: strz
        encoding: UTF-8
        eos-error: false
  cv_elf:
    doc: Breakpad ELF build id (after "BpEL").
    seq:
      - id: build_id
        size-eos: true
  image_debug_misc:
    doc: Old misc debug record (IMAGE_DEBUG_MISC); data is ANSI or UTF-16 per `unicode`, kept raw.
    seq:
      - id: data_type
        type: u4
      - id: len_record
        type: u4
      - id: unicode
        type: u1
      - id: reserved
        size: 3
      - id: data
        size-eos: true
  unloaded_module_list:
    doc: UnloadedModuleList stream (MINIDUMP_UNLOADED_MODULE_LIST).
    seq:
      - id: size_of_header
        type: u4
      - id: size_of_entry
        type: u4
      - id: num_entries
        type: u4
      - id: header_rest
        size: size_of_header - 12
        if: size_of_header > 12
      - id: entries
        size: size_of_entry
        type: unloaded_module
        repeat: expr
        repeat-expr: num_entries
  unloaded_module:
    doc: A module unloaded before the dump (MINIDUMP_UNLOADED_MODULE, 24 bytes).
    seq:
      - id: base_of_image
        type: u8
      - id: size_of_image
        type: u4
      - id: checksum
        type: u4
      - id: time_date_stamp
        type: u4
      - id: ofs_module_name
        type: u4
    instances:
      module_name:
        io: _root._io
        pos: ofs_module_name
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string

  # ---------------------------------------------------------------- memory
  memory_list:
    doc: MemoryList stream (MINIDUMP_MEMORY_LIST).
    seq:
      - id: num_mem_ranges
        type: u4
      - id: padding
        size: 4
        if: _io.size - 4 - num_mem_ranges * 16 == 4
      - id: mem_ranges
        type: memory_descriptor
        repeat: expr
        repeat-expr: num_mem_ranges
  memory_descriptor:
    doc: A captured memory range (MINIDUMP_MEMORY_DESCRIPTOR).
    seq:
      - id: addr_memory_range
        type: u8
      - id: memory
        type: location_descriptor
  memory_64_list:
    doc: Memory64List stream (MINIDUMP_MEMORY64_LIST); range data is contiguous from ofs_base.
    seq:
      - id: num_mem_ranges
        type: u8
      - id: ofs_base
        type: u8
      - id: mem_ranges
        type: 'memory_descriptor_64(_index == 0 ? ofs_base : mem_ranges[_index - 1].ofs_data + mem_ranges[_index - 1].len_data)'
        repeat: expr
        repeat-expr: num_mem_ranges
        doc: Each range gets its file offset from the one before it, so any range is found in O(1).
  memory_descriptor_64:
    doc: A captured memory range of a full dump (MINIDUMP_MEMORY_DESCRIPTOR64).
    params:
      - id: ofs_start
        type: u8
        doc: File offset of this range's data (ofs_base + sizes of the ranges before).
    seq:
      - id: addr_memory_range
        type: u8
      - id: len_data
        type: u8
    instances:
      ofs_data:
        value: ofs_start
        doc: File offset of the range's data.
      data:
        io: _root._io
        pos: ofs_data
        size: len_data
  memory_info_list:
    doc: MemoryInfoList stream (MINIDUMP_MEMORY_INFO_LIST).
    seq:
      - id: size_of_header
        type: u4
      - id: size_of_entry
        type: u4
      - id: num_entries
        type: u8
      - id: header_rest
        size: size_of_header - 16
        if: size_of_header > 16
      - id: entries
        size: size_of_entry
        type: memory_info
        repeat: expr
        repeat-expr: num_entries
  memory_info:
    doc: A region of the address space (MINIDUMP_MEMORY_INFO, 48 bytes).
    seq:
      - id: base_address
        type: u8
      - id: allocation_base
        type: u8
      - id: allocation_protect
        type: u4
      - id: alignment1
        type: u4
      - id: region_size
        type: u8
      - id: state
        type: u4
        enum: memory_states
      - id: protect
        type: u4
      - id: type
        type: u4
        enum: memory_types
      - id: alignment2
        type: u4
    instances:
      protection:
        value: protect & 0xff
        enum: page_protections
        doc: Base PAGE_* protection of `protect`.
      is_guard:
        value: (protect & 0x100) != 0
      is_nocache:
        value: (protect & 0x200) != 0
      is_writecombine:
        value: (protect & 0x400) != 0
    enums:
      memory_states:
        0x1000: commit
        0x2000: reserve
        0x10000: free
      memory_types:
        0x20000: private
        0x40000: mapped
        0x1000000: image
      page_protections:
        0x01: noaccess
        0x02: readonly
        0x04: readwrite
        0x08: writecopy
        0x10: execute
        0x20: execute_read
        0x40: execute_readwrite
        0x80: execute_writecopy

  # ---------------------------------------------------------------- exception
  exception_stream:
    doc: Exception stream (MINIDUMP_EXCEPTION_STREAM).
    seq:
      - id: thread_id
        type: u4
      - id: reserved
        type: u4
      - id: exception_rec
        type: exception_record
      - id: thread_context
        type: location_descriptor
    instances:
      context:
        io: _root._io
        pos: thread_context.ofs_data
        size: thread_context.len_data
        type: cpu_context
  exception_record:
    doc: Exception details (MINIDUMP_EXCEPTION); only the first num_params params are meaningful.
    seq:
      - id: code
        type: u4
      - id: flags
        type: u4
      - id: inner_exception
        type: u8
      - id: addr
        type: u8
      - id: num_params
        type: u4
      - id: reserved
        type: u4
      - id: params
        type: u8
        repeat: expr
        repeat-expr: 15

  # ---------------------------------------------------------------- system
  system_info:
    doc: SystemInfo stream (MINIDUMP_SYSTEM_INFO, 56 bytes).
    seq:
      - id: cpu_arch
        type: u2
        enum: cpu_archs
      - id: cpu_level
        type: u2
      - id: cpu_revision
        type: u2
      - id: num_cpus
        type: u1
      - id: os_type
        type: u1
        enum: product_types
      - id: os_ver_major
        type: u4
      - id: os_ver_minor
        type: u4
      - id: os_build
        type: u4
      - id: os_platform
        type: u4
        enum: platform_ids
      - id: ofs_service_pack
        type: u4
      - id: os_suite_mask
        type: u2
      - id: reserved2
        type: u2
      - id: cpu
        size: 24
        type:
          switch-on: cpu_info_layout
          cases:
            cpu_info_layouts::x86: cpu_info_x86
            cpu_info_layouts::arm: cpu_info_arm
            _: cpu_info_other
        doc: CPU_INFORMATION union.
    instances:
      cpu_vendor_head:
        pos: 32
        type: u4
        doc: First word of `cpu`, to tell a cpuid vendor string from feature bits.
      cpu_info_layout:
        value: >-
          cpu_arch == cpu_archs::intel
          or (cpu_arch == cpu_archs::amd64 and (cpu_vendor_head == 0x756e6547
          or cpu_vendor_head == 0x68747541 or cpu_vendor_head == 0x6f677948
          or cpu_vendor_head == 0x746e6543)) ? 1
          : cpu_arch == cpu_archs::arm or cpu_arch == cpu_archs::arm64_old ? 2
          : 0
        enum: cpu_info_layouts
        doc: >-
          x86 info for x86, and for amd64 when it starts with a known vendor
          ("Genu", "Auth", "Hygo", "Cent": Breakpad writes cpuid there, Windows
          and Crashpad write PF_* feature bits); Breakpad's ARM info for arm.
      service_pack:
        io: _root._io
        pos: ofs_service_pack
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string
        if: ofs_service_pack > 0
    enums:
      cpu_archs:
        0: intel
        1: mips
        2: alpha
        3: ppc
        4: shx
        5: arm
        6: ia64
        7: alpha64
        8: msil
        9: amd64
        10: ia32_on_win64
        11: neutral
        12: arm64
        13: arm32_on_win64
        14: ia32_on_arm64
        0x8001: sparc
        0x8002: ppc64
        0x8003: arm64_old
        0x8004: mips64
        0x8005: riscv
        0x8006: riscv64
        0xffff: unknown
      platform_ids:
        0: win32s
        1: win32_windows
        2: win32_nt
        3: win32_ce
        0x8000: unix
        0x8101: macos
        0x8102: ios
        0x8201: linux
        0x8202: solaris
        0x8203: android
        0x8204: ps3
        0x8205: nacl
        0x8206: fuchsia
      cpu_info_layouts:
        0: other
        1: x86
        2: arm
      product_types:
        1: workstation
        2: domain_controller
        3: server
  cpu_info_x86:
    doc: CPU_INFORMATION for x86/amd64 (cpuid results).
    seq:
      - id: vendor_id
        size: 12
        type: str
        encoding: ASCII
      - id: version_information
        type: u4
      - id: feature_information
        type: u4
      - id: amd_extended_cpu_features
        type: u4
  cpu_info_arm:
    doc: CPU_INFORMATION as written by Breakpad for ARM.
    seq:
      - id: cpuid
        type: u4
      - id: elf_hwcaps
        type: u4
  cpu_info_other:
    doc: CPU_INFORMATION for other architectures (PF_* feature bits).
    seq:
      - id: processor_features
        type: u8
        repeat: expr
        repeat-expr: 2
  misc_info:
    doc: MiscInfo stream (MINIDUMP_MISC_INFO v1..v5); each group is read only when len_info covers it, and is valid when its flags1 bit is set.
    seq:
      - id: len_info
        type: u4
      - id: flags1
        type: u4
        doc: 0x1 process_id, 0x2 process times, 0x4 processor power, 0x10 integrity, 0x20 execute flags, 0x40 time zone, 0x80 protected process, 0x100 build string, 0x200 process cookie.
      - id: process_id
        type: u4
      - id: process_create_time
        type: u4
      - id: process_user_time
        type: u4
      - id: process_kernel_time
        type: u4
      - id: cpu_max_mhz
        type: u4
        if: len_info >= 44
      - id: cpu_cur_mhz
        type: u4
        if: len_info >= 44
      - id: cpu_limit_mhz
        type: u4
        if: len_info >= 44
      - id: cpu_max_idle_state
        type: u4
        if: len_info >= 44
      - id: cpu_cur_idle_state
        type: u4
        if: len_info >= 44
      - id: process_integrity_level
        type: u4
        if: len_info >= 232
      - id: process_execute_flags
        type: u4
        if: len_info >= 232
      - id: protected_process
        type: u4
        if: len_info >= 232
      - id: time_zone_id
        type: u4
        if: len_info >= 232
      - id: time_zone
        type:
          switch-on: _root.is_be
          cases:
            true: time_zone_information_be
            false: time_zone_information
        if: len_info >= 232
      - id: build_string_le
        size: 520
        type: strz
        encoding: UTF-16LE
        if: len_info >= 832 and not _root.is_be
      - id: build_string_be
        size: 520
        type: strz
        encoding: UTF-16BE
        if: len_info >= 832 and _root.is_be
      - id: dbg_bld_str_le
        size: 80
        type: strz
        encoding: UTF-16LE
        if: len_info >= 832 and not _root.is_be
      - id: dbg_bld_str_be
        size: 80
        type: strz
        encoding: UTF-16BE
        if: len_info >= 832 and _root.is_be
      - id: xstate_data
        type: xstate_config_feature_msc_info
        if: len_info >= 1364
      - id: process_cookie
        type: u4
        if: len_info >= 1364
    instances:
      build_string:
        value: '_root.is_be ? build_string_be : build_string_le'
        if: len_info >= 832
        doc: OS build string.
      dbg_bld_str:
        value: '_root.is_be ? dbg_bld_str_be : dbg_bld_str_le'
        if: len_info >= 832
        doc: Build string of the debugging DLL that wrote the dump.
  time_zone_information:
    doc: TIME_ZONE_INFORMATION (172 bytes).
    seq:
      - id: bias
        type: s4
      - id: standard_name
        size: 64
        type: strz
        encoding: UTF-16LE
      - id: standard_date
        type: system_time
      - id: standard_bias
        type: s4
      - id: daylight_name
        size: 64
        type: strz
        encoding: UTF-16LE
      - id: daylight_date
        type: system_time
      - id: daylight_bias
        type: s4
  time_zone_information_be:
    doc: TIME_ZONE_INFORMATION of a big-endian dump (UTF-16BE names), with the fields of time_zone_information.
    seq:
      - id: bias
        type: s4
      - id: standard_name
        size: 64
        type: strz
        encoding: UTF-16BE
      - id: standard_date
        type: system_time
      - id: standard_bias
        type: s4
      - id: daylight_name
        size: 64
        type: strz
        encoding: UTF-16BE
      - id: daylight_date
        type: system_time
      - id: daylight_bias
        type: s4
  system_time:
    doc: SYSTEMTIME (16 bytes).
    seq:
      - id: year
        type: u2
      - id: month
        type: u2
      - id: day_of_week
        type: u2
      - id: day
        type: u2
      - id: hour
        type: u2
      - id: minute
        type: u2
      - id: second
        type: u2
      - id: milliseconds
        type: u2
  xstate_config_feature_msc_info:
    doc: Extended processor state layout (XSTATE_CONFIG_FEATURE_MSC_INFO, 528 bytes).
    seq:
      - id: size_of_info
        type: u4
      - id: context_size
        type: u4
      - id: enabled_features
        type: u8
      - id: features
        type: xstate_feature
        repeat: expr
        repeat-expr: 64
  xstate_feature:
    doc: Offset and size of one XSAVE feature in the context.
    seq:
      - id: offset
        type: u4
      - id: size
        type: u4
  system_memory_info:
    doc: SystemMemoryInfo stream (MINIDUMP_SYSTEM_MEMORY_INFO_1, 492 bytes, packed to 4).
    seq:
      - id: revision
        type: u2
      - id: flags
        type: u2
        doc: 0x1 transition repurpose count, 0x2 basic perf, 0x4 cc dirty pages, 0x8 resident/shared pages valid.
      - id: basic_info
        type: system_basic_information
      - id: file_cache_info
        type: system_filecache_information
      - id: basic_perf_info
        type: system_basic_performance_information
      - id: perf_info
        type: system_performance_information
  system_basic_information:
    doc: MINIDUMP_SYSTEM_BASIC_INFORMATION (52 bytes).
    seq:
      - id: timer_resolution
        type: u4
      - id: page_size
        type: u4
      - id: number_of_physical_pages
        type: u4
      - id: lowest_physical_page_number
        type: u4
      - id: highest_physical_page_number
        type: u4
      - id: allocation_granularity
        type: u4
      - id: minimum_user_mode_address
        type: u8
      - id: maximum_user_mode_address
        type: u8
      - id: active_processors_affinity_mask
        type: u8
      - id: number_of_processors
        type: u4
  system_filecache_information:
    doc: MINIDUMP_SYSTEM_FILECACHE_INFORMATION (60 bytes).
    seq:
      - id: current_size
        type: u8
      - id: peak_size
        type: u8
      - id: page_fault_count
        type: u4
      - id: minimum_working_set
        type: u8
      - id: maximum_working_set
        type: u8
      - id: current_size_including_transition_in_pages
        type: u8
      - id: peak_size_including_transition_in_pages
        type: u8
      - id: transition_repurpose_count
        type: u4
      - id: flags
        type: u4
  system_basic_performance_information:
    doc: MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION (32 bytes).
    seq:
      - id: available_pages
        type: u8
      - id: committed_pages
        type: u8
      - id: commit_limit
        type: u8
      - id: peak_commitment
        type: u8
  system_performance_information:
    doc: MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION (344 bytes).
    seq:
      - id: idle_process_time
        type: u8
      - id: io_read_transfer_count
        type: u8
      - id: io_write_transfer_count
        type: u8
      - id: io_other_transfer_count
        type: u8
      - id: io_read_operation_count
        type: u4
      - id: io_write_operation_count
        type: u4
      - id: io_other_operation_count
        type: u4
      - id: available_pages
        type: u4
      - id: committed_pages
        type: u4
      - id: commit_limit
        type: u4
      - id: peak_commitment
        type: u4
      - id: page_fault_count
        type: u4
      - id: copy_on_write_count
        type: u4
      - id: transition_count
        type: u4
      - id: cache_transition_count
        type: u4
      - id: demand_zero_count
        type: u4
      - id: page_read_count
        type: u4
      - id: page_read_io_count
        type: u4
      - id: cache_read_count
        type: u4
      - id: cache_io_count
        type: u4
      - id: dirty_pages_write_count
        type: u4
      - id: dirty_write_io_count
        type: u4
      - id: mapped_pages_write_count
        type: u4
      - id: mapped_write_io_count
        type: u4
      - id: paged_pool_pages
        type: u4
      - id: non_paged_pool_pages
        type: u4
      - id: paged_pool_allocs
        type: u4
      - id: paged_pool_frees
        type: u4
      - id: non_paged_pool_allocs
        type: u4
      - id: non_paged_pool_frees
        type: u4
      - id: free_system_ptes
        type: u4
      - id: resident_system_code_page
        type: u4
      - id: total_system_driver_pages
        type: u4
      - id: total_system_code_pages
        type: u4
      - id: non_paged_pool_lookaside_hits
        type: u4
      - id: paged_pool_lookaside_hits
        type: u4
      - id: available_paged_pool_pages
        type: u4
      - id: resident_system_cache_page
        type: u4
      - id: resident_paged_pool_page
        type: u4
      - id: resident_system_driver_page
        type: u4
      - id: cc_fast_read_no_wait
        type: u4
      - id: cc_fast_read_wait
        type: u4
      - id: cc_fast_read_resource_miss
        type: u4
      - id: cc_fast_read_not_possible
        type: u4
      - id: cc_fast_mdl_read_no_wait
        type: u4
      - id: cc_fast_mdl_read_wait
        type: u4
      - id: cc_fast_mdl_read_resource_miss
        type: u4
      - id: cc_fast_mdl_read_not_possible
        type: u4
      - id: cc_map_data_no_wait
        type: u4
      - id: cc_map_data_wait
        type: u4
      - id: cc_map_data_no_wait_miss
        type: u4
      - id: cc_map_data_wait_miss
        type: u4
      - id: cc_pin_mapped_data_count
        type: u4
      - id: cc_pin_read_no_wait
        type: u4
      - id: cc_pin_read_wait
        type: u4
      - id: cc_pin_read_no_wait_miss
        type: u4
      - id: cc_pin_read_wait_miss
        type: u4
      - id: cc_copy_read_no_wait
        type: u4
      - id: cc_copy_read_wait
        type: u4
      - id: cc_copy_read_no_wait_miss
        type: u4
      - id: cc_copy_read_wait_miss
        type: u4
      - id: cc_mdl_read_no_wait
        type: u4
      - id: cc_mdl_read_wait
        type: u4
      - id: cc_mdl_read_no_wait_miss
        type: u4
      - id: cc_mdl_read_wait_miss
        type: u4
      - id: cc_read_ahead_ios
        type: u4
      - id: cc_lazy_write_ios
        type: u4
      - id: cc_lazy_write_pages
        type: u4
      - id: cc_data_flushes
        type: u4
      - id: cc_data_pages
        type: u4
      - id: context_switches
        type: u4
      - id: first_level_tb_fills
        type: u4
      - id: second_level_tb_fills
        type: u4
      - id: system_calls
        type: u4
      - id: cc_total_dirty_pages
        type: u8
      - id: cc_dirty_page_threshold
        type: u8
      - id: resident_available_pages
        type: s8
      - id: shared_committed_pages
        type: u8
  process_vm_counters:
    doc: ProcessVmCounters stream (MINIDUMP_PROCESS_VM_COUNTERS_1 or _2 by revision).
    seq:
      - id: revision
        type: u2
      - id: counters
        size-eos: true
        type:
          switch-on: revision
          cases:
            1: vm_counters_1
            2: vm_counters_2
  vm_counters_1:
    doc: MINIDUMP_PROCESS_VM_COUNTERS_1 after its revision (80 bytes in all).
    seq:
      - id: padding
        type: u2
      - id: page_fault_count
        type: u4
      - id: peak_working_set_size
        type: u8
      - id: working_set_size
        type: u8
      - id: quota_peak_paged_pool_usage
        type: u8
      - id: quota_paged_pool_usage
        type: u8
      - id: quota_peak_non_paged_pool_usage
        type: u8
      - id: quota_non_paged_pool_usage
        type: u8
      - id: pagefile_usage
        type: u8
      - id: peak_pagefile_usage
        type: u8
      - id: private_usage
        type: u8
  vm_counters_2:
    doc: MINIDUMP_PROCESS_VM_COUNTERS_2 after its revision (152 bytes in all).
    seq:
      - id: flags
        type: u2
        doc: 0x1 VM counters, 0x2 virtual size, 0x4 ex, 0x8 ex2, 0x10 job fields valid.
      - id: page_fault_count
        type: u4
      - id: peak_working_set_size
        type: u8
      - id: working_set_size
        type: u8
      - id: quota_peak_paged_pool_usage
        type: u8
      - id: quota_paged_pool_usage
        type: u8
      - id: quota_peak_non_paged_pool_usage
        type: u8
      - id: quota_non_paged_pool_usage
        type: u8
      - id: pagefile_usage
        type: u8
      - id: peak_pagefile_usage
        type: u8
      - id: peak_virtual_size
        type: u8
      - id: virtual_size
        type: u8
      - id: private_usage
        type: u8
      - id: private_working_set_size
        type: u8
      - id: shared_commit_usage
        type: u8
      - id: job_shared_commit_usage
        type: u8
      - id: job_private_commit_usage
        type: u8
      - id: job_peak_private_commit_usage
        type: u8
      - id: job_private_commit_limit
        type: u8
      - id: job_total_commit_limit
        type: u8

  # ---------------------------------------------------------------- handles, tables, tokens, comments
  handle_data:
    doc: HandleData stream (MINIDUMP_HANDLE_DATA_STREAM).
    seq:
      - id: size_of_header
        type: u4
      - id: size_of_descriptor
        type: u4
      - id: num_descriptors
        type: u4
      - id: reserved
        type: u4
      - id: header_rest
        size: size_of_header - 16
        if: size_of_header > 16
      - id: descriptors
        size: size_of_descriptor
        type: handle_descriptor
        repeat: expr
        repeat-expr: num_descriptors
  handle_descriptor:
    doc: An open handle (MINIDUMP_HANDLE_DESCRIPTOR, 32 bytes, or _2 with object info, 40 bytes).
    seq:
      - id: handle
        type: u8
      - id: ofs_type_name
        type: u4
      - id: ofs_object_name
        type: u4
      - id: attributes
        type: u4
      - id: granted_access
        type: u4
      - id: handle_count
        type: u4
      - id: pointer_count
        type: u4
      - id: ofs_object_info
        type: u4
        if: _io.size >= 40
      - id: reserved0
        type: u4
        if: _io.size >= 40
    instances:
      type_name:
        io: _root._io
        pos: ofs_type_name
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string
        if: ofs_type_name != 0
      object_name:
        io: _root._io
        pos: ofs_object_name
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string
        if: ofs_object_name != 0
      object_info:
        io: _root._io
        pos: ofs_object_info
        type: handle_object_info
        if: _io.size >= 40 and ofs_object_info != 0
  handle_object_info:
    doc: A link of a handle's object-information chain (MINIDUMP_HANDLE_OBJECT_INFORMATION).
    seq:
      - id: ofs_next_info
        type: u4
      - id: info_type
        type: u4
        enum: handle_object_info_types
      - id: size_of_info
        type: u4
      - id: info
        size: size_of_info
    instances:
      next_info:
        io: _root._io
        pos: ofs_next_info
        type: handle_object_info
        if: ofs_next_info != 0
    enums:
      handle_object_info_types:
        0: none
        1: thread_info_1
        2: mutant_info_1
        3: mutant_info_2
        4: process_info_1
        5: process_info_2
        6: event_info_1
        7: section_info_1
        8: semaphore_info_1
  handle_operation_list:
    doc: HandleOperationList stream; entries (AVRF_HANDLE_OPERATION, avrfsdk.h) are kept raw.
    seq:
      - id: size_of_header
        type: u4
      - id: size_of_entry
        type: u4
      - id: num_entries
        type: u4
      - id: reserved
        type: u4
      - id: header_rest
        size: size_of_header - 16
        if: size_of_header > 16
      - id: entries
        size: size_of_entry
        repeat: expr
        repeat-expr: num_entries
  function_table_stream:
    doc: FunctionTable stream (MINIDUMP_FUNCTION_TABLE_STREAM).
    seq:
      - id: size_of_header
        type: u4
      - id: size_of_descriptor
        type: u4
      - id: size_of_native_descriptor
        type: u4
      - id: size_of_function_entry
        type: u4
      - id: num_descriptors
        type: u4
      - id: size_of_align_pad
        type: u4
      - id: header_rest
        size: size_of_header - 24 + size_of_align_pad
      - id: tables
        type: function_table
        repeat: expr
        repeat-expr: num_descriptors
  function_table:
    doc: One function table; native descriptor and entries are kept raw (their layout is per CPU).
    seq:
      - id: descriptor
        size: _parent.size_of_descriptor
        type: function_table_descriptor
      - id: native_descriptor
        size: _parent.size_of_native_descriptor
      - id: entries
        size: _parent.size_of_function_entry
        repeat: expr
        repeat-expr: descriptor.entry_count
      - id: align_pad
        size: descriptor.size_of_align_pad
  function_table_descriptor:
    doc: MINIDUMP_FUNCTION_TABLE_DESCRIPTOR (32 bytes).
    seq:
      - id: minimum_address
        type: u8
      - id: maximum_address
        type: u8
      - id: base_address
        type: u8
      - id: entry_count
        type: u4
      - id: size_of_align_pad
        type: u4
  token_info_list:
    doc: Token stream (MINIDUMP_TOKEN_INFO_LIST).
    seq:
      - id: len_token_list
        type: u4
      - id: num_tokens
        type: u4
      - id: size_of_list_header
        type: u4
      - id: size_of_element_header
        type: u4
      - id: header_rest
        size: size_of_list_header - 16
        if: size_of_list_header > 16
      - id: tokens
        type: token_info
        repeat: expr
        repeat-expr: num_tokens
  token_info:
    doc: One token (MINIDUMP_TOKEN_INFO_HEADER + token data); token_size includes the 16-byte header.
    seq:
      - id: token_size
        type: u4
      - id: token_id
        type: u4
      - id: token_handle
        type: u8
      - id: token_data
        size: token_size - 16
  comment_a:
    doc: CommentStreamA, NUL-terminated ANSI text.
    seq:
      - id: text
        size-eos: true
        type: strz
        encoding: ASCII
  comment_w:
    doc: CommentStreamW, NUL-terminated UTF-16 text (big-endian in a big-endian dump).
    seq:
      - id: text_le
        size-eos: true
        type: strz
        encoding: UTF-16LE
        if: not _root.is_be
      - id: text_be
        size-eos: true
        type: strz
        encoding: UTF-16BE
        if: _root.is_be
    instances:
      text:
        value: '_root.is_be ? text_be : text_le'

  # ---------------------------------------------------------------- Breakpad
  breakpad_info:
    doc: Breakpad info stream (MDRawBreakpadInfo).
    seq:
      - id: validity
        type: u4
        doc: 0x1 dump_thread_id valid, 0x2 requesting_thread_id valid.
      - id: dump_thread_id
        type: u4
      - id: requesting_thread_id
        type: u4
  assertion_info:
    doc: Breakpad assertion stream (MDRawAssertionInfo, 776 bytes); UTF-16 text in the dump's byte order.
    seq:
      - id: expression_le
        size: 256
        type: strz
        encoding: UTF-16LE
        if: not _root.is_be
      - id: expression_be
        size: 256
        type: strz
        encoding: UTF-16BE
        if: _root.is_be
      - id: function_le
        size: 256
        type: strz
        encoding: UTF-16LE
        if: not _root.is_be
      - id: function_be
        size: 256
        type: strz
        encoding: UTF-16BE
        if: _root.is_be
      - id: file_le
        size: 256
        type: strz
        encoding: UTF-16LE
        if: not _root.is_be
      - id: file_be
        size: 256
        type: strz
        encoding: UTF-16BE
        if: _root.is_be
      - id: line
        type: u4
      - id: type
        type: u4
        enum: assertion_types
    instances:
      expression:
        value: '_root.is_be ? expression_be : expression_le'
      function:
        value: '_root.is_be ? function_be : function_le'
      file:
        value: '_root.is_be ? file_be : file_le'
    enums:
      assertion_types:
        0: unknown
        1: invalid_parameter
        2: pure_virtual_call
  text_stream:
    doc: A text file captured whole (/proc/cpuinfo, status, maps, lsb-release, ...).
    seq:
      - id: text
        size-eos: true
        type: str
        encoding: UTF-8
  nul_separated_list:
    doc: NUL-separated strings (/proc/PID/cmdline, environ).
    seq:
      - id: items
        type: strz
        encoding: UTF-8
        eos-error: false
        repeat: eos
  linux_auxv:
    doc: ELF auxiliary vector (/proc/PID/auxv); word size from SystemInfo's architecture, a partial last pair is ignored.
    seq:
      - id: entries
        type: auxv_entry
        repeat: expr
        repeat-expr: _io.size / (2 * _root.len_word)
  auxv_entry:
    doc: One auxv pair.
    seq:
      - id: a_type
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
      - id: a_val
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
  linux_dso_debug:
    doc: Breakpad DSO debug stream (MDRawDebug32/64, natural alignment), then a copy of the DYNAMIC section.
    seq:
      - id: version
        type: u4
      - id: ofs_map
        type: u4
      - id: dso_count
        type: u4
      - id: padding
        type: u4
        if: _root.len_word == 8
      - id: brk
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
      - id: ldbase
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
      - id: dynamic
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
      - id: dynamic_section
        size-eos: true
    instances:
      link_maps:
        io: _root._io
        pos: ofs_map
        type: link_map
        repeat: expr
        repeat-expr: dso_count
        if: ofs_map != 0
  link_map:
    doc: One loaded DSO (MDRawLinkMap32/64).
    seq:
      - id: addr
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
      - id: ofs_name
        type: u4
      - id: padding
        type: u4
        if: _root.len_word == 8
      - id: ld
        type:
          switch-on: _root.len_word
          cases:
            8: u8
            _: u4
    instances:
      name:
        io: _root._io
        pos: ofs_name
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string
        if: ofs_name != 0

  # ---------------------------------------------------------------- Crashpad
  crashpad_info:
    doc: Crashpad info stream (MINIDUMP_CRASHPAD_INFO).
    seq:
      - id: version
        type: u4
      - id: report_id
        type: guid
      - id: client_id
        type: guid
      - id: simple_annotations
        type: location_descriptor
      - id: module_list
        type: location_descriptor
    instances:
      simple_annotations_dict:
        io: _root._io
        pos: simple_annotations.ofs_data
        size: simple_annotations.len_data
        type: simple_string_dictionary
        if: simple_annotations.len_data != 0
      module_links:
        io: _root._io
        pos: module_list.ofs_data
        size: module_list.len_data
        type: module_crashpad_info_list
        if: module_list.len_data != 0
  simple_string_dictionary:
    doc: UTF-8 key/value pairs (MINIDUMP_SIMPLE_STRING_DICTIONARY).
    seq:
      - id: num_entries
        type: u4
      - id: entries
        type: simple_string_dictionary_entry
        repeat: expr
        repeat-expr: num_entries
  simple_string_dictionary_entry:
    doc: One key/value pair, both UTF-8 strings by RVA.
    seq:
      - id: ofs_key
        type: u4
      - id: ofs_value
        type: u4
    instances:
      key:
        io: _root._io
        pos: ofs_key
        type: utf8_string
      value:
        io: _root._io
        pos: ofs_value
        type: utf8_string
  module_crashpad_info_list:
    doc: Per-module Crashpad data (MINIDUMP_MODULE_CRASHPAD_INFO_LIST).
    seq:
      - id: num_links
        type: u4
      - id: links
        type: module_crashpad_info_link
        repeat: expr
        repeat-expr: num_links
  module_crashpad_info_link:
    doc: Links a ModuleList index to its Crashpad data (MINIDUMP_MODULE_CRASHPAD_INFO_LINK).
    seq:
      - id: minidump_module_list_index
        type: u4
      - id: location
        type: location_descriptor
    instances:
      info:
        io: _root._io
        pos: location.ofs_data
        size: location.len_data
        type: module_crashpad_info
  module_crashpad_info:
    doc: A module's annotations (MINIDUMP_MODULE_CRASHPAD_INFO).
    seq:
      - id: version
        type: u4
      - id: list_annotations
        type: location_descriptor
      - id: simple_annotations
        type: location_descriptor
      - id: annotation_objects
        type: location_descriptor
        if: _io.size >= 28
        doc: Absent in version-1 records written before annotation objects existed (20 bytes).
    instances:
      list_annotations_list:
        io: _root._io
        pos: list_annotations.ofs_data
        size: list_annotations.len_data
        type: rva_list
        if: list_annotations.len_data != 0
      simple_annotations_dict:
        io: _root._io
        pos: simple_annotations.ofs_data
        size: simple_annotations.len_data
        type: simple_string_dictionary
        if: simple_annotations.len_data != 0
      annotation_objects_list:
        io: _root._io
        pos: annotation_objects.ofs_data
        size: annotation_objects.len_data
        type: annotation_list
        if: _io.size >= 28 and annotation_objects.len_data != 0
  rva_list:
    doc: A list of UTF-8 strings by RVA (MINIDUMP_RVA_LIST).
    seq:
      - id: num_rvas
        type: u4
      - id: rvas
        type: utf8_string_ref
        repeat: expr
        repeat-expr: num_rvas
  utf8_string_ref:
    doc: RVA of a UTF-8 string.
    seq:
      - id: ofs_str
        type: u4
    instances:
      str:
        io: _root._io
        pos: ofs_str
        type: utf8_string
  annotation_list:
    doc: Typed annotations (MINIDUMP_ANNOTATION_LIST).
    seq:
      - id: num_annotations
        type: u4
      - id: annotations
        type: annotation
        repeat: expr
        repeat-expr: num_annotations
  annotation:
    doc: One annotation object (MINIDUMP_ANNOTATION); type >= 0x8000 is user-defined.
    seq:
      - id: ofs_name
        type: u4
      - id: type
        type: u2
        enum: annotation_types
      - id: reserved
        type: u2
      - id: ofs_value
        type: u4
    instances:
      name:
        io: _root._io
        pos: ofs_name
        type: utf8_string
      value:
        io: _root._io
        pos: ofs_value
        type: byte_array
    enums:
      annotation_types:
        0: invalid
        1: string
  byte_array:
    doc: Length-prefixed bytes (MINIDUMP_BYTE_ARRAY).
    seq:
      - id: len_data
        type: u4
      - id: data
        size: len_data

  # ---------------------------------------------------------------- Mozilla
  moz_macos_crash_info:
    doc: Mozilla macOS crash info stream; records (versioned) are kept as locations.
    seq:
      - id: stream_type
        type: u4
      - id: record_count
        type: u4
      - id: record_start_size
        type: u4
      - id: records
        type: location_descriptor
        repeat: expr
        repeat-expr: 20
  moz_macos_bootargs:
    doc: Mozilla macOS kernel boot arguments stream.
    seq:
      - id: stream_type
        type: u4
      - id: ofs_bootargs
        type: u8
    instances:
      bootargs:
        io: _root._io
        pos: ofs_bootargs
        type:
          switch-on: _root.is_be
          cases:
            true: minidump_string_be
            false: minidump_string
        if: ofs_bootargs != 0

  # ---------------------------------------------------------------- CPU contexts
  cpu_context:
    doc: A CPU context; the layout follows SystemInfo's architecture, confirmed by context_flags, else raw bytes.
    seq:
      - id: regs
        size-eos: true
        type:
          switch-on: layout
          cases:
            context_layouts::x86: context_x86
            context_layouts::amd64: context_amd64
            context_layouts::arm: context_arm
            context_layouts::arm64: context_arm64
            context_layouts::arm64_old: context_arm64_old
    instances:
      context_flags:
        pos: 0
        type: u4
        if: _io.size >= 4
        doc: Where every layout but amd64 keeps context_flags (low half for arm64_old).
      context_flags_amd64:
        pos: 0x30
        type: u4
        if: _io.size >= 0x34
      layout:
        value: >-
          not _root.has_sysinfo ? 0
          : _root.cpu_arch == system_info::cpu_archs::intel and _io.size >= 716 and (context_flags & 0x10000) != 0 ? 1
          : _root.cpu_arch == system_info::cpu_archs::amd64 and _io.size >= 1232 and (context_flags_amd64 & 0x100000) != 0 ? 2
          : _root.cpu_arch == system_info::cpu_archs::arm and _io.size >= 368 and (context_flags & 0x40000000) != 0 ? 3
          : (_root.cpu_arch == system_info::cpu_archs::arm64 or _root.cpu_arch == system_info::cpu_archs::arm64_old) and _io.size >= 912 and (context_flags & 0x400000) != 0 ? 4
          : (_root.cpu_arch == system_info::cpu_archs::arm64 or _root.cpu_arch == system_info::cpu_archs::arm64_old) and _io.size >= 796 and (context_flags & 0x80000000) != 0 ? 5
          : 0
        enum: context_layouts
    enums:
      context_layouts:
        0: raw
        1: x86
        2: amd64
        3: arm
        4: arm64
        5: arm64_old
  context_x86:
    doc: CONTEXT for x86 (716 bytes); an XSTATE tail follows when context_flags has 0x40.
    seq:
      - id: context_flags
        type: u4
      - id: dr0
        type: u4
      - id: dr1
        type: u4
      - id: dr2
        type: u4
      - id: dr3
        type: u4
      - id: dr6
        type: u4
      - id: dr7
        type: u4
      - id: float_save
        type: floating_save_area_x86
      - id: gs
        type: u4
      - id: fs
        type: u4
      - id: es
        type: u4
      - id: ds
        type: u4
      - id: edi
        type: u4
      - id: esi
        type: u4
      - id: ebx
        type: u4
      - id: edx
        type: u4
      - id: ecx
        type: u4
      - id: eax
        type: u4
      - id: ebp
        type: u4
      - id: eip
        type: u4
      - id: cs
        type: u4
      - id: eflags
        type: u4
      - id: esp
        type: u4
      - id: ss
        type: u4
      - id: extended_registers
        size: 512
        doc: FXSAVE area.
      - id: xstate
        size-eos: true
        doc: CONTEXT_EX and XSAVE area, when present.
  floating_save_area_x86:
    doc: x87 state (FLOATING_SAVE_AREA, 112 bytes).
    seq:
      - id: control_word
        type: u4
      - id: status_word
        type: u4
      - id: tag_word
        type: u4
      - id: error_offset
        type: u4
      - id: error_selector
        type: u4
      - id: data_offset
        type: u4
      - id: data_selector
        type: u4
      - id: register_area
        size: 80
      - id: cr0_npx_state
        type: u4
  context_amd64:
    doc: CONTEXT for amd64 (1232 bytes); an XSTATE tail follows when context_flags has 0x40.
    seq:
      - id: p1_home
        type: u8
      - id: p2_home
        type: u8
      - id: p3_home
        type: u8
      - id: p4_home
        type: u8
      - id: p5_home
        type: u8
      - id: p6_home
        type: u8
      - id: context_flags
        type: u4
      - id: mx_csr
        type: u4
      - id: cs
        type: u2
      - id: ds
        type: u2
      - id: es
        type: u2
      - id: fs
        type: u2
      - id: gs
        type: u2
      - id: ss
        type: u2
      - id: eflags
        type: u4
      - id: dr0
        type: u8
      - id: dr1
        type: u8
      - id: dr2
        type: u8
      - id: dr3
        type: u8
      - id: dr6
        type: u8
      - id: dr7
        type: u8
      - id: rax
        type: u8
      - id: rcx
        type: u8
      - id: rdx
        type: u8
      - id: rbx
        type: u8
      - id: rsp
        type: u8
      - id: rbp
        type: u8
      - id: rsi
        type: u8
      - id: rdi
        type: u8
      - id: r8
        type: u8
      - id: r9
        type: u8
      - id: r10
        type: u8
      - id: r11
        type: u8
      - id: r12
        type: u8
      - id: r13
        type: u8
      - id: r14
        type: u8
      - id: r15
        type: u8
      - id: rip
        type: u8
      - id: float_save
        type: xmm_save_area32
      - id: vector_register
        size: 16
        repeat: expr
        repeat-expr: 26
      - id: vector_control
        type: u8
      - id: debug_control
        type: u8
      - id: last_branch_to_rip
        type: u8
      - id: last_branch_from_rip
        type: u8
      - id: last_exception_to_rip
        type: u8
      - id: last_exception_from_rip
        type: u8
      - id: xstate
        size-eos: true
        doc: CONTEXT_EX and XSAVE area, when present.
  xmm_save_area32:
    doc: FXSAVE layout (XMM_SAVE_AREA32, 512 bytes); 128-bit registers as 16-byte arrays.
    seq:
      - id: control_word
        type: u2
      - id: status_word
        type: u2
      - id: tag_word
        type: u1
      - id: reserved1
        type: u1
      - id: error_opcode
        type: u2
      - id: error_offset
        type: u4
      - id: error_selector
        type: u2
      - id: reserved2
        type: u2
      - id: data_offset
        type: u4
      - id: data_selector
        type: u2
      - id: reserved3
        type: u2
      - id: mx_csr
        type: u4
      - id: mx_csr_mask
        type: u4
      - id: float_registers
        size: 16
        repeat: expr
        repeat-expr: 8
      - id: xmm_registers
        size: 16
        repeat: expr
        repeat-expr: 16
      - id: reserved4
        size: 96
  context_arm:
    doc: CONTEXT for 32-bit ARM as Breakpad writes it (MDRawContextARM, 368 bytes).
    seq:
      - id: context_flags
        type: u4
      - id: iregs
        type: u4
        repeat: expr
        repeat-expr: 16
        doc: r0..r15; r13 is sp, r14 lr, r15 pc.
      - id: cpsr
        type: u4
      - id: fpscr
        type: u8
      - id: float_regs
        type: u8
        repeat: expr
        repeat-expr: 32
      - id: float_extra
        type: u4
        repeat: expr
        repeat-expr: 8
    instances:
      sp:
        value: iregs[13]
      lr:
        value: iregs[14]
      pc:
        value: iregs[15]
  context_arm64:
    doc: CONTEXT for ARM64 (Microsoft and current Breakpad layout, 912 bytes).
    seq:
      - id: context_flags
        type: u4
      - id: cpsr
        type: u4
      - id: x
        type: u8
        repeat: expr
        repeat-expr: 29
        doc: x0..x28.
      - id: fp
        type: u8
      - id: lr
        type: u8
      - id: sp
        type: u8
      - id: pc
        type: u8
      - id: v
        size: 16
        repeat: expr
        repeat-expr: 32
      - id: fpcr
        type: u4
      - id: fpsr
        type: u4
      - id: bcr
        type: u4
        repeat: expr
        repeat-expr: 8
      - id: bvr
        type: u8
        repeat: expr
        repeat-expr: 8
      - id: wcr
        type: u4
        repeat: expr
        repeat-expr: 2
      - id: wvr
        type: u8
        repeat: expr
        repeat-expr: 2
  context_arm64_old:
    doc: Old Breakpad ARM64 context (MDRawContextARM64_Old, 796 bytes, packed).
    seq:
      - id: context_flags
        type: u8
      - id: x
        type: u8
        repeat: expr
        repeat-expr: 29
        doc: x0..x28.
      - id: fp
        type: u8
      - id: lr
        type: u8
      - id: sp
        type: u8
      - id: pc
        type: u8
      - id: cpsr
        type: u4
      - id: fpsr
        type: u4
      - id: fpcr
        type: u4
      - id: v
        size: 16
        repeat: expr
        repeat-expr: 32

enums:
  stream_types:
    0: unused
    1: reserved_0
    2: reserved_1
    3: thread_list
    4: module_list
    5: memory_list
    6: exception
    7: system_info
    8: thread_ex_list
    9: memory_64_list
    10: comment_a
    11: comment_w
    12: handle_data
    13: function_table
    14: unloaded_module_list
    15: misc_info
    16: memory_info_list
    17: thread_info_list
    18: handle_operation_list
    19: token
    20: java_script_data
    21: system_memory_info
    22: process_vm_counters
    23: ipt_trace
    24: thread_names
    0xffff: last_reserved
    0x8000: ce_null
    0x8001: ce_system_info
    0x8002: ce_exception
    0x8003: ce_module_list
    0x8004: ce_process_list
    0x8005: ce_thread_list
    0x8006: ce_thread_context_list
    0x8007: ce_thread_call_stack_list
    0x8008: ce_memory_virtual_list
    0x8009: ce_memory_physical_list
    0x800a: ce_bucket_parameters
    0x800b: ce_process_module_map
    0x800c: ce_diagnosis_list
    0x47670001: md_raw_breakpad_info
    0x47670002: md_raw_assertion_info
    0x47670003: md_linux_cpu_info
    0x47670004: md_linux_proc_status
    0x47670005: md_linux_lsb_release
    0x47670006: md_linux_cmd_line
    0x47670007: md_linux_environ
    0x47670008: md_linux_auxv
    0x47670009: md_linux_maps
    0x4767000a: md_linux_dso_debug
    0x4767000b: md_linux_proc_stat
    0x4767000c: md_linux_proc_uptime
    0x4767000d: md_linux_proc_fd
    0x43500001: md_crashpad_info_stream
    0x4d7a0001: moz_macos_crash_info
    0x4d7a0002: moz_macos_bootargs
    0x4d7a0003: moz_linux_limits
    0x4d7a0004: moz_soft_errors
    0x4b6b0001: kasko_crash_data
    0x4b6b0002: stability_report
    0xface0000: fb_stream_markers
    0xface1ca7: fb_logcat
    0xfacecaf0: fb_unwind_stack_symbols
    0xfacecafa: fb_app_custom_data
    0xfacecafb: fb_app_build_id
    0xfacecafc: fb_app_version_name
    0xfacecafd: fb_java_stack
    0xfacecafe: fb_dalvik_info
    0xfacecaff: fb_unwind_symbols
    0xfacecb00: fb_dump_error_log
    0xfacecccc: fb_app_state_log
    0xfacedead: fb_abort_reason
    0xfacee000: fb_thread_name
