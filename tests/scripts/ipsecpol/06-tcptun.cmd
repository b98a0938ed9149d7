rem What a tunnelling tool runs on XP/2003 to stop the kernel answering its raw TCP port.
ipseccmd -w REG -p "tcptun_fs_server" -r "Block TCP/8443" -f *+0:8443:TCP  -n BLOCK -x
rem expect-warning: protocol 'tcp' read as TCP
ipseccmd -w REG -p "tcptun_fs" -r "Block TCP/9000" -f 0/255.255.255.255=203.0.113.7/255.255.255.255:9000:tcp -n BLOCK
rem expect: DROP in tcp 198.51.100.7:40000 me:8443
rem the second policy is stored, not assigned
rem expect: PASS out tcp me:40000 203.0.113.7:9000
